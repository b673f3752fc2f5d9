"""What a pull request changes in the prompts: each changed prompt before and after, rendered
for each of its samples. The formatting lives in the preview reporters."""

from __future__ import annotations

from dataclasses import dataclass

from promptsync.core.variants import changes as variant_changes
from promptsync.core.workspace import Workspace
from promptsync.model import PromptDoc, PromptId
from promptsync.preview.render import Preview, render_each
from promptsync.record import Variant
from promptsync.rendering.samples import sample_contexts
from promptsync.tree import SourceFile, Tree
from promptsync.validate import Finding, Report, Validator


@dataclass(frozen=True)
class Side:
    """One prompt on one side: the validated document, or the errors that kept it out."""

    doc: PromptDoc | None
    errors: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class SampleRender:
    name: str
    before: Preview | None  # None: no such sample on that side
    after: Preview | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def texts(self) -> tuple[str, str]:
        """The rendered text before and after, "" where there is none."""
        return _text(self.before), _text(self.after)


def _variants_of(side: Side | None) -> list[Variant]:
    if side is None or side.doc is None:
        return []
    return [Variant(v.name, v.weight, v.template, v.description) for v in side.doc.variants]


def _text(rendered: Preview | None) -> str:
    return rendered.text if rendered is not None and rendered.text is not None else ""


@dataclass(frozen=True)
class PromptChange:
    id: PromptId
    kind: str  # created | updated | deleted
    before: Side | None
    after: Side | None
    samples: tuple[SampleRender, ...]

    @property
    def variants(self) -> tuple[str, ...]:
        """What changed in the variants, in words (promptsync.core.variants.changes)."""
        return variant_changes(_variants_of(self.before), _variants_of(self.after))

    @property
    def invalid(self) -> bool:
        """The new file does not validate: its errors say more than a render could."""
        return self.after is not None and self.after.doc is None


def _side(prompt_id: PromptId, report: Report) -> Side:
    doc = report.prompts.get(prompt_id)
    if doc is not None:
        return Side(doc)
    return Side(None, tuple(f for f in report.errors if f.path == prompt_id.path))


def _renders(side: Side | None) -> dict[str, Preview]:
    """Each sample rendered with the template, then with each variant's text (`basic ·
    variant warm`), so a reviewer sees every text a customer may be served."""
    if side is None or side.doc is None:
        return {}
    samples = sample_contexts(side.doc)
    contexts = [context for _, context in samples]
    found = {name: r for (name, _), r in zip(samples, render_each(side.doc, contexts),
                                              strict=True)}
    for v in side.doc.variants:
        rendered = render_each(side.doc, contexts, v.name)
        found.update({f"{name} · variant {v.name}": r
                      for (name, _), r in zip(samples, rendered, strict=True)})
    return found


def _samples(before: Side | None, after: Side | None) -> tuple[SampleRender, ...]:
    old, new = _renders(before), _renders(after)
    names = list(new) + [n for n in old if n not in new]
    return tuple(SampleRender(n, old.get(n), new.get(n)) for n in names)


def _blob(source: SourceFile | None) -> str | None:
    return source.blob if source is not None else None


def changed_prompts(base: Tree, head: Tree,
                    validator: Validator | None = None) -> list[PromptChange]:
    """Every prompt whose file differs between the trees (by git blob id), sorted by id."""
    validator = validator or Validator()
    old_files, new_files = base.prompt_files(), head.prompt_files()
    ids = sorted(i for i in old_files.keys() | new_files.keys()
                 if _blob(old_files.get(i)) != _blob(new_files.get(i)))
    if not ids:
        return []
    # The core checks the changed files and what they relate to, as CI's whole run would.
    paths = [i.path for i in ids]
    old_report = Workspace.of_tree(base, validator).check(paths)
    new_report = Workspace.of_tree(head, validator).check(paths)
    changes = []
    for prompt_id in ids:
        before = _side(prompt_id, old_report) if prompt_id in old_files else None
        after = _side(prompt_id, new_report) if prompt_id in new_files else None
        kind = "created" if before is None else "deleted" if after is None else "updated"
        changes.append(PromptChange(prompt_id, kind, before, after, _samples(before, after)))
    return changes
