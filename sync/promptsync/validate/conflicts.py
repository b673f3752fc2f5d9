"""Leftover merge-conflict markers, and the version to set once one side is kept.

Two edits of one prompt both raise its `version:` line, so git stops with a conflict: that is
the design (the optimistic lock), and this is the message an editor sees most. Both sides are
read as git wrote them (`<<<<<<< ours`, optionally `||||||| base`, `=======`,
`>>>>>>> theirs`); the published version is not known here, but it is at least the larger of
the two sides', so the version that follows either side is one more than that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from promptsync.validate import codes
from promptsync.validate.finding import Finding, error

_MARKER = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?:[ \t](.*))?$")
_VERSION = re.compile(r"^version[ \t]*:[ \t]*(\d+)[ \t]*(?:#.*)?$")


@dataclass
class _Block:
    start: int  # line numbers from 1
    ours_label: str
    ours: list[str]
    theirs: list[str]
    end: int = 0
    theirs_label: str = ""


def conflict_findings(path: str, text: str) -> list[Finding]:
    """One finding per conflict block; none when the file has no `<<<<<<<` line."""
    if "<<<<<<<" not in text:
        return []
    lines = text.splitlines()
    blocks = list(_blocks(lines))
    outside = [line for n, line in enumerate(lines, 1)
               if not any(b.start <= n <= b.end for b in blocks)]
    # Each side's file is the shared lines and that side of every block.
    ours = _version([line for b in blocks for line in b.ours] + outside)
    theirs = _version([line for b in blocks for line in b.theirs] + outside)
    return [_finding(path, block, ours, theirs) for block in blocks]


def _blocks(lines: list[str]) -> Iterator[_Block]:
    block: _Block | None = None
    side: list[str] | None = None
    for number, line in enumerate(lines, 1):
        marker = _MARKER.match(line)
        kind = marker.group(1)[0] if marker else ""
        if kind == "<" and block is None and marker:
            block = _Block(number, (marker.group(2) or "").strip(), [], [])
            side = block.ours
        elif block is None:
            continue
        elif kind == "|":
            side = None  # the base's lines: neither side
        elif kind == "=":
            side = block.theirs
        elif kind == ">" and marker:
            block.end, block.theirs_label = number, (marker.group(2) or "").strip()
            yield block
            block = side = None
        elif side is not None:
            side.append(line)
    if block is not None:  # never closed: the conflict runs to the end of the file
        block.end = len(lines)
        yield block


def _finding(path: str, block: _Block, ours: int | None, theirs: int | None) -> Finding:
    where = f"unresolved merge conflict (lines {block.start}-{block.end})"
    known = [v for v in (ours, theirs) if v is not None]
    if not known:
        return error(path, block.start, 1, codes.MERGE_CONFLICT,
                     f"{where}: keep one side and delete the marker lines",
                     "the lines between <<<<<<< and ======= are one side, those up to "
                     ">>>>>>> the other")
    sides = ", ".join(f"{_label(label, fallback)} has version {version}"
                      for label, fallback, version in ((block.ours_label, "one side", ours),
                                                       (block.theirs_label, "the other", theirs))
                      if version is not None)
    return error(path, block.start, 1, codes.MERGE_CONFLICT,
                 f"{where}: keep one side, then set version: {max(known) + 1} ({sides})",
                 "delete the <<<<<<<, ======= and >>>>>>> lines; the published version is at "
                 f"least {max(known)}, so the next one is {max(known) + 1}")


def _version(lines: list[str]) -> int | None:
    for line in lines:
        found = _VERSION.match(line)
        if found:
            return int(found.group(1))
    return None


def _label(label: str, fallback: str) -> str:
    label = label or fallback
    return label if len(label) <= 40 else label[:39] + "…"
