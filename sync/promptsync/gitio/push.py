"""Pushing a commit to a branch of a git server, never forced, under the network policy.

A push without force is the compare-and-swap of a write to a server: the server moves its branch
only when the branch is still an ancestor of what is pushed. Three ends, told apart because
each asks something else of the caller:

- accepted;
- `PushRejected`: the branch moved on the server (git's `[rejected] (fetch first)` or
  `(non-fast-forward)`, or the server's own ref update lost to a push at the same moment):
  fetch, read again, redo the change or answer a conflict;
- `PushRefused`: the server was reached and said no (a hook, a protected branch, no right to
  push: `[remote rejected]`), or could not be reached: a GitError naming the server (masked) and
  what to check. Nothing was written there.

Credentials come from git itself (credential helpers, GIT_ASKPASS, SSH keys); git never prompts.
"""

from __future__ import annotations

import re

from promptsync.credentials import redact
from promptsync.errors import GitError
from promptsync.gitio.command import NETWORK_TIMEOUT, PolicyGit, run
from promptsync.gitio.commits import branch_ref
from promptsync.gitio.repo import GitRepository

HINT = "is the remote reachable, and may this server push to it?"
# Lost the race: rejected before the update (the branch is not an ancestor), or by the server's
# own compare-and-swap when another push moved the branch between its check and its update.
_MOVED = re.compile(r"\[rejected\].*\((fetch first|non-fast-forward|stale info)\)"
                    r"|\[remote rejected\].*\((failed to update ref|failed to lock)\)")
_CHECK = ("check that the server is up and reachable from here, that the credentials git uses "
          "for it (credential helper, GIT_ASKPASS, SSH key) may push to {branch}, and that no "
          "server hook or branch protection refuses pushes there")


class PushRejected(GitError):
    """The server's branch is not where this push expected it: someone else pushed first."""


class PushRefused(GitError):
    """The server refused the push or could not be reached; nothing was written there."""


def remotes(repo: GitRepository) -> list[str]:
    """The names of the repository's remotes (`git remote`)."""
    return repo._run("remote").split()


def push(repo: GitRepository, remote: str, commit: str, branch: str,
         timeout: float = NETWORK_TIMEOUT) -> None:
    """Create or move `branch` on `remote` (a remote's name or a URL) to `commit`, never forced.
    PushRejected when the branch moved there; PushRefused for every other failure, naming the
    server (credentials masked) and what to check."""
    try:
        run(PolicyGit(str(repo.path)),
            ["push", "--quiet", remote, f"{commit}:{branch_ref(branch)}"], timeout=timeout)
    except GitError as exc:
        if _MOVED.search(str(exc)):
            raise PushRejected(f"{branch} moved on {redact(remote)}: {exc}") from None
        raise PushRefused(f"the git server {redact(remote)} did not take the push to {branch}: "
                          f"{exc} (hint: {_CHECK.format(branch=branch)})") from None


def has_branch(repo: GitRepository, remote: str, branch: str,
               timeout: float = NETWORK_TIMEOUT) -> bool | None:
    """Whether `remote` has `branch` now (`git ls-remote`); None when it could not be asked."""
    try:
        out = run(PolicyGit(str(repo.path)), ["ls-remote", "--heads", remote, branch_ref(branch)],
                  timeout=timeout)
    except GitError:
        return None
    return bool(out.strip())


def delete_branch(repo: GitRepository, remote: str, branch: str, expected: str,
                  timeout: float = NETWORK_TIMEOUT) -> bool:
    """Delete `branch` on `remote` while it still points at `expected`; whether it was."""
    ref = branch_ref(branch)
    try:
        run(PolicyGit(str(repo.path)), ["push", "--quiet", f"--force-with-lease={ref}:{expected}",
                                        remote, f":{ref}"], timeout=timeout)
    except GitError:
        return False
    return True
