"""A preview: the prompt of the branch head, or a draft of it, checked and rendered by the core
exactly as a save, the daemon and the runtime would. No HTTP here; a failure is a Problem.

- Which file answers: `Workspace.answer` (the runtime's order, with the locale).
- What a draft is: the file a save writes (`api.drafts`), byte for byte; its findings are the
  ones `Workspace.check_edit` gives a save (its translations, the version rule included).
- How it renders: `promptsync.rendering`, the runtime's coercion of declared types, defaults
  and required variables, in the sandbox, bounded in time and size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from promptsync.api.drafts import Draft, draft_file, where
from promptsync.api.models import FindingOut
from promptsync.api.problems import Problem
from promptsync.api.snapshot import BranchFiles, Snapshot
from promptsync.lru import LRU
from promptsync.model import CONTROL, DEFAULT_BRAND, PromptDoc, PromptId, UnknownVariant
from promptsync.preview.render import PREVIEW_SECONDS, coerced_text
from promptsync.rendering.renderer import Renderer
from promptsync.rendering.samples import UnknownSample, context_for
from promptsync.sandbox import Rendered
from promptsync.validate import Report


@dataclass(frozen=True)
class PreviewResult:
    text: str
    findings: list[FindingOut]
    path: str  # the file that answered (or the draft's)
    commit: str  # the branch head it was read at
    draft: bool
    variant: str | None = None  # for a prompt that runs variants: the one rendered


class Previews:
    """Previews against the followed branch; thread-safe (runs in worker threads)."""

    def __init__(self, files: BranchFiles) -> None:
        self.files = files
        self.renderer = Renderer(max_entries=512)
        # A commit never changes: the verdict on one of its files is read once per commit.
        self._checked: LRU[tuple[str, str], Report] = LRU(256)

    def preview(self, prompt: PromptId, *, draft: Draft | None, sample: str | None,
                context: Mapping[str, Any] | None, variant: str | None = None
                ) -> PreviewResult:
        snap = self.files.snapshot()
        if draft is None:
            doc, findings, path = self._shipped(snap, prompt)
        else:
            doc, findings, path = self._draft(snap, prompt, draft)
        try:
            values = context_for(doc, sample, context)
        except UnknownSample as exc:
            raise Problem(422, "No such sample", str(exc), type="unknown-sample") from None
        try:
            template = doc.template_of(variant)
        except UnknownVariant as exc:
            raise Problem(422, "No such variant", str(exc), type="unknown-variant") from None
        text, notes = self._render(doc, template, values)
        shown = (variant or CONTROL) if doc.variants or variant else None
        return PreviewResult(text, findings + notes, path, snap.commit, draft is not None,
                             shown)

    def _shipped(self, snap: Snapshot, prompt: PromptId
                 ) -> tuple[PromptDoc, list[FindingOut], str]:
        ws = snap.workspace
        if not snap.has_brand(prompt.brand) and prompt.brand != DEFAULT_BRAND:
            raise Problem(404, "Unknown brand", f"{snap.commit[:7]} has no prompts/"
                          f"{prompt.brand}/; send a draft `template` to preview a new prompt",
                          type="unknown-brand")
        answer = ws.answer(prompt).answer
        if answer is None:
            raise Problem(404, "No such prompt", f"neither {prompt.brand} nor default has a "
                          f"{prompt.type.slug} file at {snap.commit[:7]}", type="unknown-prompt")
        key = (snap.commit, answer.path)
        report = self._checked.get(key)
        if report is None:
            report = ws.check_file(answer.path)
            self._checked.put(key, report)
        findings = [FindingOut.of(f, line=f.line, column=f.column) for f in report.findings
                    if f.path == answer.path]
        return _valid(report.prompts.get(answer), findings, answer.path), findings, answer.path

    @staticmethod
    def _draft(snap: Snapshot, prompt: PromptId, draft: Draft
               ) -> tuple[PromptDoc, list[FindingOut], str]:
        made = draft_file(prompt, snap.workspace.read(prompt.path), draft)
        report = snap.workspace.check_edit(prompt.path, made.data)
        findings = made.findings(report.findings)
        return _valid(report.prompts.get(prompt), findings, prompt.path), findings, prompt.path

    def _render(self, doc: PromptDoc, template: str, values: Mapping[str, Any]
                ) -> tuple[str, list[FindingOut]]:
        done = self.renderer.outcome(template, doc.variables_json(), values,
                                     seconds=PREVIEW_SECONDS)
        notes = [FindingOut(severity="warning", code="context-type", message=coerced_text(n),
                            field="context") for n in done.coerced]
        outcome = done.outcome
        if isinstance(outcome, Rendered):
            return outcome.text, notes
        finding = FindingOut(severity="error", code=f"render-{outcome.code.value}",
                             message=outcome.message, hint=outcome.hint, field="template",
                             line=outcome.line, column=outcome.column)
        raise Problem(422, "The prompt does not render", f"{outcome.message}"
                      + (f" ({outcome.hint})" if outcome.hint else ""), type="render-failed",
                      findings=[finding.model_dump(), *(n.model_dump() for n in notes)])


def _valid(doc: PromptDoc | None, findings: list[FindingOut], path: str) -> PromptDoc:
    errors = [f for f in findings if f.severity == "error"]
    if doc is None or errors:
        first = errors[0] if errors else None
        at = "" if first is None else f"; the first ({where(first)}): {first.message}"
        raise Problem(422, "The prompt does not validate", f"{len(errors)} error(s) in "
                      f"{path}{at}", type="invalid-prompt",
                      findings=[f.model_dump() for f in findings])
    return doc


