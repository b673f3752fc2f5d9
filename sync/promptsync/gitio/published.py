"""Which ref stands for the published branch in a clone: two questions, answered here side by
side so that each front end asks rather than re-decides.

- `server_copy`: what the repository of record holds, as far as this clone knows:
  origin/<branch> when the clone has that remote-tracking branch, else the local <branch>.
  `validate` compares versions with it, so a forgotten version bump shows before CI does, even
  in commits made on a local main that are not pushed yet.
- `publishing_base`: where a new commit meant for publication starts (a rollback): the branch
  that will publish it. `sync --repo .` publishes the local <branch>, a daemon elsewhere the
  remote's (origin/<branch> here), so the local branch when it holds everything origin/<branch>
  holds, else origin/<branch>; with the reason, which the command prints.

They differ only where the local branch is ahead of origin/<branch>: the server has not seen
those commits (compare with what it has), yet a commit built for this clone's daemon must not
drop them (start from them).
"""

from __future__ import annotations

from dataclasses import dataclass

from promptsync.errors import UsageError
from promptsync.gitio.repo import GitRepository


def server_copy(repo: GitRepository, branch: str) -> str | None:
    """origin/<branch> when this clone has it, else <branch>; None when it has neither."""
    for candidate in (f"origin/{branch}", branch):
        if repo.find(candidate) is not None:
            return candidate
    return None


@dataclass(frozen=True)
class Base:
    """Where a new commit starts, and why there: the output says both."""

    ref: str
    why: str


def publishing_base(repo: GitRepository, branch: str) -> Base:
    """The branch that publishes `branch` from this clone (see the module's doc)."""
    local, remote = repo.find(branch), repo.find(f"origin/{branch}")
    if local is None and remote is None:
        raise UsageError(f"neither origin/{branch} nor {branch} exists in {repo.path} "
                         "(hint: pass --base REF, or set PROMPTSYNC_REF to the published branch)")
    follows = "the branch `promptsync sync --repo .` follows here"
    if remote is None:
        return Base(branch, f"{follows}; this clone has no origin/{branch}")
    if local is None:
        return Base(f"origin/{branch}", f"this clone has no local {branch}")
    if local == remote:
        return Base(branch, f"{follows}, at the same commit as origin/{branch}")
    if repo.is_ancestor(remote, local):
        return Base(branch, f"{follows}; it is ahead of origin/{branch}, and the commits "
                            f"origin/{branch} lacks are in this branch too")
    state = "behind" if repo.is_ancestor(local, remote) else "not on the same line as"
    return Base(f"origin/{branch}", f"your {branch} is {state} origin/{branch}, the newer "
                                    f"published history (`--base {branch}` to start there)")
