"""A preview: the prompt of the branch head, or a draft of it, validated by the validator and
rendered in the sandbox with a sample or a context. No HTTP here; a failure is a Problem.

The draft goes through the same Validator as CI and the daemon (one file and the rule files),
so every finding is one they would report; the render is the sandbox's outcome (Rendered or
RenderFailure), bounded in time and size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Template

from promptsync import sandbox
from promptsync.api.drafts import Draft, DraftFile, synthesize
from promptsync.api.models import FindingOut
from promptsync.api.problems import Problem
from promptsync.api.snapshot import BranchFiles, Snapshot
from promptsync.lru import LRU
from promptsync.model import DEFAULT_BRAND, PromptDoc, PromptId
from promptsync.preview.context import sample_contexts
from promptsync.preview.render import PREVIEW_SECONDS
from promptsync.resolution import lookup_order
from promptsync.sandbox import Rendered, RenderFailure
from promptsync.tree import SourceFile, blob_id, is_prompt_candidate
from promptsync.validate import Validator
from promptsync.validate.finding import Finding
from promptsync.validate.yamldoc import read_yaml


@dataclass(frozen=True)
class PreviewResult:
    text: str
    findings: list[FindingOut]
    path: str  # the file that answered (or the draft's)
    commit: str  # the branch head it was read at
    draft: bool


class Previews:
    """Previews against the followed branch; thread-safe (runs in worker threads)."""

    def __init__(self, files: BranchFiles, validator: Validator | None = None) -> None:
        self.files = files
        self.validator = validator or Validator(workers=1)
        self._compiled: LRU[str, Template | RenderFailure] = LRU(512)

    def preview(self, prompt: PromptId, *, draft: Draft | None, sample: str | None,
                context: Mapping[str, Any] | None) -> PreviewResult:
        snap = self.files.snapshot()
        if draft is None:
            doc, findings, path = self._shipped(snap, prompt)
        else:
            doc, findings, path = self._draft(snap, prompt, draft)
        values = choose_context(doc, sample, context)
        return PreviewResult(self._render(doc, values), findings, path, snap.commit,
                             draft is not None)

    def _shipped(self, snap: Snapshot, prompt: PromptId
                 ) -> tuple[PromptDoc, list[FindingOut], str]:
        if not snap.has_brand(prompt.brand) and prompt.brand != DEFAULT_BRAND:
            raise Problem(404, "Unknown brand", f"{snap.commit[:7]} has no prompts/"
                          f"{prompt.brand}/; send a draft `template` to preview a new prompt",
                          type="unknown-brand")
        path = _answering_path(snap, prompt)
        if path is None:
            raise Problem(404, "No such prompt", f"neither {prompt.brand} nor default has a "
                          f"{prompt.type.slug} file at {snap.commit[:7]}", type="unknown-prompt")
        report = self.validator.validate(_with_rules(snap, path, snap.files[path]),
                                         whole_tree=False)
        findings = [FindingOut.of(f, line=f.line, column=f.column) for f in report.findings
                    if f.path == path]
        return self._doc(report.prompts.get(_id_of(path)), findings, path), findings, path

    def _draft(self, snap: Snapshot, prompt: PromptId, draft: Draft
               ) -> tuple[PromptDoc, list[FindingOut], str]:
        base_path = _answering_path(snap, prompt)
        base = _parsed(base_path, snap.read(base_path)) if base_path else None
        made = synthesize(prompt, base, draft)
        source = SourceFile(prompt.path, blob_id(made.data), lambda: made.data)
        report = self.validator.validate(_with_rules(snap, prompt.path, source),
                                         whole_tree=False)
        findings = _draft_findings(report.findings, prompt.path, made)
        return self._doc(report.prompts.get(prompt), findings, prompt.path), findings, \
            prompt.path

    @staticmethod
    def _doc(doc: PromptDoc | None, findings: list[FindingOut], path: str) -> PromptDoc:
        errors = [f for f in findings if f.severity == "error"]
        if doc is None or errors:
            first = errors[0] if errors else None
            where = "" if first is None else f"; the first ({first.place()}): {first.message}"
            raise Problem(422, "The prompt does not validate", f"{len(errors)} error(s) in "
                          f"{path}{where}", type="invalid-prompt",
                          findings=[f.model_dump() for f in findings])
        return doc

    def _render(self, doc: PromptDoc, values: Mapping[str, Any]) -> str:
        template = self._compiled.get(doc.template)
        if template is None:
            template = sandbox.compile_source(doc.template)
            self._compiled.put(doc.template, template)
        outcome = template if isinstance(template, RenderFailure) else sandbox.render(
            template, values, seconds=PREVIEW_SECONDS)
        if isinstance(outcome, Rendered):
            return outcome.text
        finding = FindingOut(severity="error", code=f"render-{outcome.code.value}",
                             message=outcome.message, hint=outcome.hint, field="template",
                             line=outcome.line, column=outcome.column)
        raise Problem(422, "The prompt does not render", f"{outcome.message}"
                      + (f" ({outcome.hint})" if outcome.hint else ""), type="render-failed",
                      findings=[finding.model_dump()])


def choose_context(doc: PromptDoc, sample: str | None,
                   context: Mapping[str, Any] | None) -> dict[str, Any]:
    """Declared defaults, then the sample (the first one when neither is given), then context."""
    values: dict[str, Any] = dict(doc.defaults())
    if sample is not None:
        named = {s.name: s.context for s in doc.samples}
        if sample not in named:
            names = ", ".join(repr(n) for n in named) or "none"
            raise Problem(422, "No such sample", f"{doc.id} has no sample {sample[:80]!r} "
                          f"(its samples: {names})", type="unknown-sample")
        values.update(named[sample])
    elif context is None:
        values.update(sample_contexts(doc)[0][1])
    values.update(context or {})
    return values


def _answering_path(snap: Snapshot, prompt: PromptId) -> str | None:
    """The file the runtime's order picks for this prompt at this commit."""
    for brand, locale in lookup_order(prompt.brand, prompt.locale):
        path = PromptId(prompt.brand if brand == prompt.brand else brand, prompt.type,
                        locale).path
        if path in snap.files:
            return path
    return None


def _id_of(path: str) -> PromptId:
    found = PromptId.from_path(path)
    assert found is not None  # _answering_path builds it from an id
    return found


def _with_rules(snap: Snapshot, path: str, source: SourceFile) -> list[SourceFile]:
    """The rule files and brand files of the commit, and the one prompt file to check."""
    others = [f for p, f in snap.files.items() if not is_prompt_candidate(p)
              or p.endswith("/brand.yaml")]
    return [*others, source]


def _parsed(path: str, data: bytes | None) -> dict[str, Any] | None:
    """The file a draft starts from, as plain values, read by the validator's YAML reader
    (no aliases, no bombs: the branch head may hold a commit CI never saw); a file it cannot
    read gives the draft nothing to start from."""
    try:
        doc, _ = read_yaml(path, (data or b"").decode("utf-8"))
    except UnicodeDecodeError:
        return None
    value = None if doc is None else doc.value
    return value if isinstance(value, dict) else None


def _draft_findings(findings: list[Finding], path: str, made: DraftFile) -> list[FindingOut]:
    return [made.finding(f) for f in findings if f.path == path]
