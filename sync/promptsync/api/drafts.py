"""A draft as the file a save would write, and the validator's findings placed in its parts.

The file is built by the edit's own writer (`promptsync.edit.document.build`, on the branch
head's file with the next version), so what is previewed is byte for byte what a save commits.
A finding of the validator speaks in file lines; the editor shows the draft's template and
fields, so each finding is placed where the validator itself read the template
(`validate.file_check.template_place`): a line and column in the template, or the field it is
about. Findings on other files (the translations a base text's change makes stale) name their
file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from promptsync.api.models import FindingOut
from promptsync.edit.document import build
from promptsync.edit.request import Fields
from promptsync.model import PromptId
from promptsync.validate.file_check import template_place
from promptsync.validate.finding import Finding
from promptsync.validate.template_check import TemplatePlace
from promptsync.validate.yamldoc import read_yaml
from promptsync.versionline import read_version


@dataclass(frozen=True)
class Draft:
    """What the editor sends; None keeps the part of the file the draft starts from."""

    template: str
    description: str | None = None
    variables: Mapping[str, Any] | None = None
    samples: Sequence[Mapping[str, Any]] | None = None
    translated_from: int | None = None
    variants: Sequence[Mapping[str, Any]] | None = None

    def fields(self) -> Fields:
        return Fields(self.template, self.description, self.variables, self.samples,
                      self.translated_from, self.variants)


@dataclass(frozen=True)
class DraftFile:
    """A prompt file and where its parts are: the template's place and each top-level key's
    line."""

    path: str
    data: bytes
    place: TemplatePlace | None
    key_lines: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, path: str, data: bytes) -> DraftFile:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return cls(path, data, None, ())
        doc, _ = read_yaml(path, text)
        if doc is None or not isinstance(doc.value, dict):
            return cls(path, data, None, ())
        keys = tuple(sorted((mark[0], str(key[0])) for key, mark in doc.key_marks.items()
                            if len(key) == 1))
        template = doc.value.get("template")
        place = template_place(path, doc, template, text.splitlines()) \
            if isinstance(template, str) else None
        return cls(path, data, place, keys)

    def finding(self, f: Finding) -> FindingOut:
        """`f` (file coordinates) in the draft's terms."""
        if f.path != self.path:
            return FindingOut.of(f, field="file", path=f.path)
        place = self.place
        if place is not None and not place.folded and f.line >= place.line and \
                self._part(f.line) == "template":
            return FindingOut.of(f, field="template", line=f.line - place.line + 1,
                                 column=max(f.column - place.indent, 1))
        if (f.line, f.column) == (1, 1):  # about the file as a whole (size, encoding, path)
            return FindingOut.of(f, field="file")
        return FindingOut.of(f, field=self._part(f.line))

    def _part(self, line: int) -> str:
        part = "file"
        for key_line, key in self.key_lines:
            if key_line <= line:
                part = key
        return part

    def findings(self, found: Sequence[Finding]) -> list[FindingOut]:
        return [self.finding(f) for f in found]


def draft_file(prompt: PromptId, current: bytes | None, draft: Draft) -> DraftFile:
    """The file a save of `draft` on top of `current` (the prompt's own file on the branch
    head; None: it has none yet) would write: the next version."""
    version = (read_version(current) or 0) + 1 if current is not None else 1
    return DraftFile.of(prompt.path, build(prompt, current, draft.fields(), version))


def placed(prompt: PromptId, data: bytes | None,
           findings: Sequence[Finding]) -> list[FindingOut]:
    """Findings as a preview of the same draft places them (a line of the template, a field,
    or another file), never as lines of a file the editor does not see."""
    if data is not None:
        return DraftFile.of(prompt.path, data).findings(findings)
    return [FindingOut.of(f, path=f.path) for f in findings]  # a delete: the files it affects


def where(f: FindingOut) -> str:
    if f.path:
        return f.path
    return f"template line {f.line}, column {f.column}" if f.field == "template" and f.line \
        else f.field
