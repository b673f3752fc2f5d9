"""Keeping a repository that promptsync writes to in shape: git's own maintenance, and the
working trees whose checked-out branch an edit moves.

Every edit writes blobs, a tree and a commit as loose objects (and a retried one leaves the
first try's behind). `git gc --auto` after writes is what `git commit` itself does: below git's
threshold it only counts, above it packs and prunes, in the background (gc.autoDetach).

A branch checked out in a working tree and moved by `update-ref` leaves that tree's index and
files at the old commit: `git status` shows the reverse of the edit staged, and the next
`git commit` there undoes it. So a checked-out target is brought along (index and files, by
git's two-tree `read-tree -m -u`) when they were clean, and the edit is refused when not.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path

from promptsync.errors import GitError, PromptSyncError
from promptsync.gitio.command import PolicyGit, run
from promptsync.gitio.commits import branch_ref
from promptsync.gitio.repo import GitRepository

log = logging.getLogger(__name__)


class CheckedOut(PromptSyncError):
    """The target branch is checked out in a working tree that is not clean."""


def collect_garbage(repo: GitRepository) -> None:
    """`git gc --auto` (quiet, detached by git when it has work); a failure is only logged."""
    try:
        repo._run("gc", "--auto", "--quiet")
    except GitError as exc:
        log.warning("git gc --auto failed in %s: %s", repo.path, exc)


def checked_out(repo: GitRepository, branch: str) -> list[Path]:
    """The working trees (the main one and `git worktree add`'s) with `branch` checked out."""
    wanted = f"branch {branch_ref(branch)}"
    trees: list[Path] = []
    for entry in repo._run("worktree", "list", "--porcelain").split("\n\n"):
        lines = entry.splitlines()
        if lines and wanted in lines and "bare" not in lines:
            trees.append(Path(lines[0].removeprefix("worktree ")))
    return trees


def check_can_follow(tree: Path, old: str, new: str, branch: str) -> None:
    """CheckedOut unless the working tree at `tree` can be moved from `old` to `new` safely:
    its index and tracked files match `old` and no untracked file is in the way."""
    git = PolicyGit(str(tree))
    # The index's stat data first (what `git status` does): a copied or touched file whose
    # content is the same is no change.
    with suppress(GitError):
        run(git, ["update-index", "-q", "--refresh"])
    try:
        run(git, ["diff-index", "--quiet", "--cached", old, "--"])
        run(git, ["diff-files", "--quiet"])
    except GitError:
        log.warning("refused an edit: %s is checked out at %s with uncommitted changes", branch,
                    tree)
        raise CheckedOut(_refusal(branch, "with uncommitted changes")) from None
    try:
        run(git, ["read-tree", "-m", "-u", "-n", old, new])
    except GitError as exc:
        log.warning("refused an edit: %s is checked out at %s and git cannot bring it along: %s",
                    branch, tree, exc)
        raise CheckedOut(_refusal(branch, "and an untracked file there is in the way")) from None


def follow(tree: Path, old: str, new: str) -> None:
    """Bring the working tree's index and files from `old` to `new` (its branch moved)."""
    try:
        run(PolicyGit(str(tree)), ["read-tree", "-m", "-u", old, new])
    except GitError as exc:  # changed by hand between the check and now
        log.error("the branch checked out at %s moved to %s, but its files could not follow "
                  "(%s): run `git status` there before committing", tree, new[:7], exc)


def _refusal(branch: str, why: str) -> str:
    return (f"{branch} is checked out in the server's working copy {why}, and an edit would "
            "move it underneath (hint: commit or stash those changes; better, serve from a bare "
            "clone or the git server's URL (--repo URL), or write to review branches "
            "(--write-to branch); the working copy's path is in the server's log)")
