"""A git merge driver that makes two edits of one prompt conflict on its `version:` line.

Plain git merges two branches that both raised `version: 1` to `version: 2` without a word: the
two changes are identical, so git takes them once, and the second pull request would publish
version 2 twice. This driver merges the file as git would (`git merge-file`) and then, when both
sides changed the version, turns the version line into a conflict, so `git merge` and
`git rebase` stop there and the editor sets the version to the base branch's + 1.

Install it in a clone (GitHub's merge button runs no drivers; there the `validate --base`
check in CI is the lock):

    git config merge.promptsync-version.name "promptsync: conflict on concurrent version bumps"
    git config merge.promptsync-version.driver "python -m promptsync.mergedriver %O %A %B %P"
    echo 'prompts/**/*.yaml merge=promptsync-version' >> .gitattributes
"""

from __future__ import annotations

import sys
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
    """Merge into `ours` like git; 0 clean, 1 conflicts (the contract of a merge driver)."""
    original = ours.read_bytes()
    conflicts = merge_file(ours, base, theirs)
    if conflicts < 0:
        return 2
    old = read_version(base.read_bytes())
    theirs_bytes = theirs.read_bytes()
    both_bumped = old is not None and read_version(original) != old and \
        read_version(theirs_bytes) != old
    marked = mark_version_conflict(ours.read_bytes(), original, theirs_bytes) \
        if both_bumped else None
    if marked is not None:
        ours.write_bytes(marked)
        return 1
    return 1 if conflicts > 0 else 0


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: python -m promptsync.mergedriver BASE OURS THEIRS [PATH]", file=sys.stderr)
        return 2
    return merge(Path(argv[0]), Path(argv[1]), Path(argv[2]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
