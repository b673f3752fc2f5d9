"""Pushing a commit to a remote branch (the API's review branches), under the network policy."""

from __future__ import annotations

from promptsync.gitio.command import NETWORK_TIMEOUT, PolicyGit, run
from promptsync.gitio.commits import branch_ref
from promptsync.gitio.repo import GitRepository

HINT = "is the remote reachable, and may this server push to it?"


def remotes(repo: GitRepository) -> list[str]:
    """The names of the repository's remotes (`git remote`)."""
    return repo._run("remote").split()


def push(repo: GitRepository, remote: str, commit: str, branch: str,
         timeout: float = NETWORK_TIMEOUT) -> None:
    """Create or move `branch` on `remote` to `commit` (never forced). GitError on failure,
    with git's stderr (credentials redacted) and a hint."""
    run(PolicyGit(str(repo.path)), ["push", "--quiet", remote, f"{commit}:{branch_ref(branch)}"],
        timeout=timeout, hint=HINT)
