"""An unsaved draft as a prompt file the validator can check, and its findings mapped back.

The file is written with the template last, as a block scalar indented by two spaces, so that
template line N is file line `template_line + N - 1`: a finding of the validator (which speaks
in file lines) becomes a line and column in the draft's template, which is what the editor
shows. Findings elsewhere in the file name the part of the draft they are about. A file laid
out otherwise (the one an edit would commit) is mapped the same way once `laid_out` has found
where its parts are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from promptsync.api.models import FindingOut
from promptsync.model import PromptId
from promptsync.validate.file_check import template_place
from promptsync.validate.finding import Finding
from promptsync.validate.yamldoc import read_yaml

INDENT = 2


@dataclass(frozen=True)
class Draft:
    """What the editor sends; None keeps the part of the file the draft starts from."""

    template: str
    description: str | None = None
    variables: Mapping[str, Any] | None = None
    samples: list[Any] | None = None


@dataclass(frozen=True)
class DraftFile:
    """The synthesized file: its bytes and where each part of it starts."""

    data: bytes
    template_line: int  # the file line of the template's first line
    template_indent: int  # what the validator takes for the block's indentation
    key_lines: tuple[tuple[int, str], ...] = field(default_factory=tuple)

    def finding(self, f: Finding) -> FindingOut:
        """`f` (file coordinates) in the draft's terms."""
        part = "file"
        for line, key in sorted(self.key_lines):
            if line <= f.line:
                part = key
        if part == "template" and 0 < self.template_line <= f.line:
            return FindingOut.of(f, field="template", line=f.line - self.template_line + 1,
                                 column=max(f.column - self.template_indent, 1))
        if (f.line, f.column) == (1, 1):  # about the file as a whole (size, encoding, path)
            return FindingOut.of(f, field="file")
        return FindingOut.of(f, field=part)


def laid_out(path: str, data: bytes) -> DraftFile:
    """Where the parts of any prompt file are (`template_line` 0: its template's lines are not
    the file's one by one, as in a folded scalar, so findings in it name the field only)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return DraftFile(data, 0, 0)
    doc, _ = read_yaml(path, text)
    if doc is None or not isinstance(doc.value, dict):
        return DraftFile(data, 0, 0)
    keys = tuple((mark[0], str(key[0])) for key, mark in doc.key_marks.items() if len(key) == 1)
    template = doc.value.get("template")
    if not isinstance(template, str):
        return DraftFile(data, 0, 0, keys)
    place = template_place(path, doc, template, text.splitlines())
    return DraftFile(data, 0 if place.folded else place.line, place.indent, keys)


def synthesize(prompt: PromptId, base: Mapping[str, Any] | None, draft: Draft) -> DraftFile:
    """The file `draft` makes of `base` (the parsed file it starts from, or None for a prompt
    the brand does not have yet)."""
    base = base or {}
    head: dict[str, Any] = {"type": prompt.type.value, "version": _version(base)}
    for key in ("locale", "translated_from"):
        if key in base:
            head[key] = base[key]
    description = draft.description if draft.description is not None \
        else base.get("description")
    if description is not None:
        head["description"] = description
    for key, value in (("variables", draft.variables), ("samples", draft.samples)):
        chosen = value if value is not None else base.get(key)
        if chosen is not None:
            head[key] = chosen
    text = yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=10**9)
    key_lines = tuple((n, line.split(":", 1)[0]) for n, line in enumerate(text.splitlines(), 1)
                      if line[:1].isalpha())
    template = draft.template.replace("\r\n", "\n").replace("\r", "\n")
    header_line = text.count("\n") + 1
    body = "".join(" " * INDENT + line if line else line
                   for line in template.splitlines(keepends=True))
    text += f"template: |{INDENT}{_chomping(template)}\n{body}"
    if body and not body.endswith("\n"):
        text += "\n"
    return DraftFile(text.encode("utf-8", "surrogatepass"), header_line + 1,
                     _validator_indent(template), (*key_lines, (header_line, "template")))


def _version(base: Mapping[str, Any]) -> int:
    version = base.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


def _chomping(template: str) -> str:
    """YAML's block chomping that gives back the template's own trailing line breaks."""
    trailing = len(template) - len(template.rstrip("\n"))
    return "-" if trailing == 0 else "" if trailing == 1 else "+"


def _validator_indent(template: str) -> int:
    # The validator takes a block's indentation from its first non-blank line.
    for line in template.splitlines():
        if line.strip():
            return INDENT + len(line) - len(line.lstrip(" "))
    return INDENT
