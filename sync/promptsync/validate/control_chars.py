"""Control characters in text: a file may hold them (a double-quoted YAML scalar writes "\\0"
or "\\x07"), a database may not (PostgreSQL refuses NUL in text and JSON), and no customer
should receive them. Only line breaks and tabs pass, and a carriage return in a CRLF file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.yamldoc import Path, YamlDoc

# Unicode's Cc category, less tab and line feed (carriage return is decided per file).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_NAMED = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f",
          "r": "\r", "e": "\x1b", "N": "\x85"}


def control_characters(path: str, doc: YamlDoc, text: str) -> list[Finding]:
    """A finding for the first control character of each text value or key."""
    if "\\" not in text and not _CONTROL.search(text.replace("\r\n", "\n")):
        return []  # neither an escape nor a raw control character: nothing to look at
    crlf = "\r\n" in text
    findings = []
    for where, value, is_key in _texts(doc.value, ()):
        char = _first_control(value, crlf)
        if char is None:
            continue
        line, col = _place(text, doc.mark(where, key=is_key), char)
        name = _NAMES.get(char, "")
        findings.append(error(
            path, line, col, codes.TEXT_CONTROL_CHARACTER,
            f"{_label(where, is_key)} holds the control character U+{ord(char):04X}"
            f"{f' ({name})' if name else ''}, which cannot be stored",
            "remove it: text may hold line breaks and tabs, no other control characters"))
    return findings


def _texts(value: Any, where: Path) -> Iterator[tuple[Path, str, bool]]:
    if isinstance(value, str):
        yield where, value, False
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*where, key), str(key), True
            yield from _texts(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*where, index))


def _first_control(value: str, crlf: bool) -> str | None:
    for match in _CONTROL.finditer(value):
        if not (crlf and match.group() == "\r"):
            return match.group()
    return None


def _place(text: str, mark: tuple[int, int], char: str) -> tuple[int, int]:
    """Where `char` is written at or after `mark`: as itself, or as a double-quoted escape."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:mark[0] - 1]) + mark[1] - 1
    offsets = [m.start() for m in _ESCAPE.finditer(text, start) if _decode(m.group(1)) == char]
    raw = text.find(char, start)
    found = min([o for o in [*offsets[:1], raw] if o >= 0], default=start)
    line_start = text.rfind("\n", 0, found) + 1
    return text.count("\n", 0, found) + 1, found - line_start + 1


def _decode(escape: str) -> str:
    if escape[0] in "xuU" and len(escape) > 1:
        return chr(int(escape[1:], 16))
    return _NAMED.get(escape, escape)


def _label(where: Path, is_key: bool) -> str:
    dotted = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where)
    dotted = dotted.replace(".[", "[")
    return f"the key {where[-1]!r}" if is_key else f"'{dotted}'"


_NAMES = {"\0": "NUL", "\a": "BEL", "\b": "backspace", "\v": "vertical tab",
          "\f": "form feed", "\r": "carriage return", "\x1b": "ESC", "\x7f": "DEL",
          "\x85": "next line"}
