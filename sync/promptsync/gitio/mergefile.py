"""`git merge-file`: a three-way merge of one file, as git merges it, in place."""

from __future__ import annotations

from pathlib import Path

from git.exc import GitCommandNotFound

from promptsync.gitio.command import PolicyGit

LABELS = ("current", "base", "incoming")


def merge_file(ours: Path, base: Path, theirs: Path) -> int:
    """Merge `theirs` into `ours` against `base`: 0 clean, N > 0 the number of conflicts
    (capped by git at 127); negative when git could not run or was killed."""
    labels = [arg for label in LABELS for arg in ("-L", label)]
    command = ["git", "merge-file", *labels, str(ours), str(base), str(theirs)]
    try:
        status, _, _ = PolicyGit().execute(command, with_extended_output=True,
                                           with_exceptions=False)
    except GitCommandNotFound:
        return -1
    return int(status) if 0 <= int(status) <= 127 else -1
