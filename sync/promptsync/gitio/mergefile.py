"""`git merge-file`: a three-way merge of one file, as git merges it, in place."""

from __future__ import annotations

from pathlib import Path

from git.exc import GitCommandNotFound

from promptsync.gitio.command import PolicyGit

LABELS = ("current", "base", "incoming")
# The merge driver's line for `git config merge.promptsync-version.driver` (the README shows
# it): the `promptsync-merge` script, and git's own merge when the script cannot run or fails
# (any exit but 0, merged, or 1, conflicts marked), because git then keeps our side alone.
DRIVER_LINE = ("promptsync-merge %O %A %B %P; s=$?; [ $s -le 1 ] || "
               "git merge-file -L current -L base -L incoming %A %O %B; exit $s")


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
