"""A git merge driver that makes two edits of one prompt conflict on its `version:` line.

Plain git merges two branches that both raised `version: 1` to `version: 2` without a word: the
two changes are identical, so git takes them once, and the second pull request would publish
version 2 twice. This driver merges the file as git would (`git merge-file`) and then, when both
sides changed the version, turns the version line into a conflict, so `git merge` and
`git rebase` stop there and the editor sets the version to the base branch's + 1.

Installed as the console script `promptsync-merge`; configure it in a clone (GitHub's merge
button runs no drivers; there the version check in CI is the lock) with the line
`promptsync.gitio.mergefile.DRIVER_LINE` (a git command line, so it lives in the door to git):

    git config merge.promptsync-version.driver '<DRIVER_LINE>'

When git cannot run a driver (not on PATH, a broken environment) or the driver fails, git keeps
the file as it is on our side, with no markers, and only says "CONFLICT": the other side's
change is gone from the file. So the driver writes the merged file only once it has it whole,
and DRIVER_LINE falls back to git's own `git merge-file` (both sides, with markers) when the
driver exits with anything but 0 (merged) or 1 (conflicts marked).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from promptsync.gitio.mergefile import merge_file
from promptsync.versionline import VERSION_RE, read_version

MARKER = 7


def _inside_conflict(text: bytes, offset: int) -> bool:
    """Whether `offset` lies between conflict markers that git merge-file already wrote."""
    depth = 0
    for line in text[:offset].splitlines():
        if line.startswith(b"<" * MARKER):
            depth += 1
        elif line.startswith(b">" * MARKER):
            depth = max(0, depth - 1)
    return depth > 0


def mark_version_conflict(merged: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """`merged` with its version line as a conflict of both sides' lines; None to leave as is."""
    line_ours, line_theirs = VERSION_RE.search(ours), VERSION_RE.search(theirs)
    match = VERSION_RE.search(merged)
    if not (line_ours and line_theirs and match) or _inside_conflict(merged, match.start()):
        return None
    block = (b"<" * MARKER + b" current\n" + line_ours.group(0) + b"\n" + b"=" * MARKER + b"\n"
             + line_theirs.group(0) + b"\n" + b">" * MARKER + b" incoming\n")
    end = merged.find(b"\n", match.end())
    end = len(merged) if end < 0 else end + 1
    return merged[:match.start()] + block + merged[end:]


def merge(base: Path, ours: Path, theirs: Path) -> int:
    """Merge into `ours` like git; 0 clean, 1 conflicts (the contract of a merge driver).
    `ours` is replaced only by a whole result: on any failure (an exception) it is left as it
    was, for DRIVER_LINE's fallback."""
    original = ours.read_bytes()
    handle, name = tempfile.mkstemp(prefix=".promptsync-merge-", dir=ours.parent)
    os.close(handle)
    work = Path(name)
    try:
        shutil.copyfile(ours, work)
        conflicts = merge_file(work, base, theirs)
        if conflicts < 0:
            raise RuntimeError("git merge-file could not merge the three versions")
        code = _mark(work, read_version(base.read_bytes()), original, theirs.read_bytes())
        os.replace(work, ours)
        return 1 if code or conflicts > 0 else 0
    finally:
        work.unlink(missing_ok=True)


def _mark(merged: Path, old: int | None, ours: bytes, theirs: bytes) -> bool:
    """Turn the version line of `merged` into a conflict when both sides raised it."""
    both_bumped = old is not None and read_version(ours) != old and read_version(theirs) != old
    marked = mark_version_conflict(merged.read_bytes(), ours, theirs) if both_bumped else None
    if marked is None:
        return False
    merged.write_bytes(marked)
    return True


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: promptsync-merge BASE OURS THEIRS [PATH]", file=sys.stderr)
        return 2
    try:
        return merge(Path(argv[0]), Path(argv[1]), Path(argv[2]))
    except Exception as exc:
        # Python's own exit code for a crash is 1, which git reads as "conflicts marked" and
        # keeps the unmerged file: any failure must be 2, for the fallback of DRIVER_LINE.
        print(f"promptsync-merge: {argv[3] if len(argv) > 3 else argv[1]}: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


def console_main() -> None:
    """The `promptsync-merge` console script."""
    raise SystemExit(main(sys.argv[1:]))


if __name__ == "__main__":
    console_main()
