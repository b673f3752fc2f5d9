"""Where a chain of edit commits lands: a branch of a local repository, or a git server's.

- `LocalBranch`: `update-ref BRANCH TIP HEAD`, the compare-and-swap git applies only while the
  branch is still HEAD. A working tree with the branch checked out is brought along (or the
  landing refused when it is not clean: `gitio.upkeep`).
- `ServerBranch`: a push of TIP to the server's branch without force: the server's ref update is
  the compare-and-swap. The private mirror (where the commits were made) then takes the new
  head too, so this process's next edit starts from it without a fetch.

Both say `Moved` when someone else wrote first; anything else is an error for the caller.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager, nullcontext, suppress
from pathlib import Path

from promptsync.credentials import redact
from promptsync.edit.change import REMOTE
from promptsync.errors import GitError
from promptsync.gitio.commits import RefLocked, RefMoved, branch_ref, ref_lock, update_ref
from promptsync.gitio.mirror import Mirror
from promptsync.gitio.push import PushRejected, delete_branch, push, remotes
from promptsync.gitio.repo import GitRepository
from promptsync.gitio.upkeep import check_can_follow, checked_out, follow

log = logging.getLogger(__name__)
LOCK_WAIT = 1.0  # s: a ref lock held longer than this is no writer finishing its update


class Moved(Exception):
    """The target moved since HEAD was read: read again, redo the chain."""


class LocalBranch:
    """A branch of the repository the edits are made in."""

    remote: str | None = None  # review branches go to `origin` when it has one
    pushed_to: str | None = None

    def __init__(self, path: Path) -> None:
        self.path = path

    def refresh(self) -> None:
        """Nothing to fetch: the branch here is the truth."""

    def exclusive(self) -> AbstractContextManager[None]:
        """Nothing to hold: `update-ref` is the lock between processes."""
        return nullcontext()

    def ready(self, repo: GitRepository, target: str) -> None:
        """RefLocked when the branch's lock file stays longer than a writer needs it."""
        deadline, delay = time.monotonic() + LOCK_WAIT, 0.01
        while (lock := ref_lock(repo, target)) is not None:
            if time.monotonic() > deadline:
                log.warning("%s is locked by %s: if no git process is running on %s, delete it",
                            target, lock, self.path)
                raise RefLocked(branch_ref(target), lock)
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def land(self, repo: GitRepository, target: str, head: str, tip: str) -> None:
        trees = checked_out(repo, target)
        for tree in trees:
            check_can_follow(tree, head, tip, target)
        try:
            update_ref(repo, target, tip, head, "promptsync api")
        except RefMoved:
            raise Moved from None
        for tree in trees:
            follow(tree, head, tip)

    def delete(self, repo: GitRepository, branch: str, sha: str) -> None:
        """`origin`'s copy of a review branch, when the repository has that remote."""
        if REMOTE in remotes(repo):
            delete_branch(repo, REMOTE, branch, sha)


class ServerBranch:
    """The branch of the git server at `url`, written through the private mirror."""

    def __init__(self, url: str, mirror: Mirror) -> None:
        self.url, self.mirror = url, mirror
        self.remote: str | None = url
        self.pushed_to: str | None = redact(url)

    def refresh(self) -> None:
        self.mirror.refresh()

    def exclusive(self) -> AbstractContextManager[None]:
        """The mirror's lock, held from reading the head to the push: the processes of one
        host that share the mirror write one after the other instead of racing to push (a
        lost push rebuilds a whole chain); other hosts still meet at the push."""
        return self.mirror.locked()

    def ready(self, repo: GitRepository, target: str) -> None:
        """The server's own locks answer in the push."""

    def land(self, repo: GitRepository, target: str, head: str, tip: str) -> None:
        try:
            push(repo, self.url, tip, target)
        except PushRejected:
            raise Moved from None
        # A fetch that got there first brought the same or newer: then this one fails, fine.
        with self.mirror.locked(), suppress(GitError):
            update_ref(repo, target, tip, head, "promptsync api: pushed")

    def delete(self, repo: GitRepository, branch: str, sha: str) -> None:
        if not delete_branch(repo, self.url, branch, sha):
            log.info("review branch %s was not deleted on %s (moved or gone)", branch,
                     redact(self.url))


Landing = LocalBranch | ServerBranch
