"""How promptsync runs git: one policy for every git process, GitPython's own included.

- Each command has a time limit: LOCAL_TIMEOUT for work on a repository on this machine,
  NETWORK_TIMEOUT for clone and fetch. GitPython's long-lived `cat-file --batch` children have
  none: they wait for the next question. A timeout names the command ("git fetch origin timed
  out after 120 s").
- A git child that could outlive us dies with the process that started it (see `lifetime`), so
  a daemon killed with SIGKILL leaves no `git cat-file` or hung `git fetch` behind. Those are
  the persistent `cat-file` children, which wait on a stdin that a forked worker may hold open,
  and the network commands, which wait on a server. The parent-death signal needs a
  `preexec_fn`, and a `preexec_fn` rules out vfork: each such spawn copies the page tables of a
  process that may hold 100,000 prompts (8 ms a process at 10,000). A one-shot local command
  writes to a pipe we hold and ends with EPIPE once we are gone, so it is spawned with vfork.
- git never asks for a password (GIT_TERMINAL_PROMPT=0): a daemon has no terminal to ask on.
- A failure is a GitError naming the command without its options, git's stderr with every
  credential masked by `promptsync.credentials.redact` (a fetch URL may carry a token in its
  user part or its query), and a hint.

The policy itself is written in `spawn`, which also runs the one-shot local commands of
`GitRepository` without GitPython; this module applies it to the processes GitPython starts.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Mapping, Sequence
from typing import Any

import git
from git.exc import GitCommandError, GitCommandNotFound

from promptsync.credentials import redact
from promptsync.errors import GitError
from promptsync.gitio.lifetime import die_with_parent
from promptsync.gitio.spawn import (
    LOCAL_TIMEOUT,
    NETWORK_TIMEOUT,
    NO_PROMPT,
    GitTimeout,
    describe,
    failed,
    git_message,
    git_not_found,
    not_a_repository,
    outlives_us,
    stdin_file,
    timed_out,
)

__all__ = ["LOCAL_TIMEOUT", "NETWORK_TIMEOUT", "NO_PROMPT", "GitTimeout", "PolicyGit",
           "PolicyRepo", "describe", "failure", "not_a_repository", "outlives_us", "run",
           "stderr_of"]

log = logging.getLogger(__name__)

_TIMED_OUT = "did not complete in"
# git's own stall limit (GIT_HTTP_LOW_SPEED_TIME, which the mirror sets to its timeout) can fire
# before GitPython's watchdog: the same time limit, reached by the other clock.
_STALLED = "Operation too slow"


class PolicyGit(git.Git):
    """GitPython's command runner with promptsync's policy applied to every process it starts,
    the persistent `cat-file --batch` children included (they are started through here too)."""

    def execute(self, command: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if kwargs.get("as_process") or outlives_us(command):
            kwargs.setdefault("preexec_fn", die_with_parent())
        if not kwargs.get("as_process"):
            kwargs["kill_after_timeout"] = kwargs.get("kill_after_timeout") or LOCAL_TIMEOUT
        kwargs["env"] = {**NO_PROMPT, **(kwargs.get("env") or {})}
        log.debug("running %s", redact(" ".join(map(str, command))))
        return super().execute(command, **kwargs)


class PolicyRepo(git.Repo):
    """A GitPython Repo whose every git process goes through PolicyGit."""

    GitCommandWrapperType = PolicyGit


def run(runner: git.Git, args: Sequence[str], *, input: bytes | None = None,
        env: Mapping[str, str] | None = None, timeout: float = LOCAL_TIMEOUT,
        hint: str = "") -> bytes:
    """`git ARGS` through `runner`; stdout as bytes. A failure or a timeout becomes a GitError."""
    with stdin_file(input) as stream:
        try:
            out = runner.execute(["git", *args], istream=stream, env=dict(env or {}),
                                 kill_after_timeout=timeout, stdout_as_string=False,
                                 strip_newline_in_stdout=False)
        except GitCommandNotFound:
            raise git_not_found() from None
        except GitCommandError as exc:
            raise failure(args, exc, timeout, hint) from None
    assert isinstance(out, bytes)
    return out


def failure(args: Sequence[str], exc: GitCommandError, timeout: float,
            hint: str = "") -> GitError:
    """The GitError for a failed command: its name, git's redacted stderr, a hint."""
    stderr = stderr_of(exc)
    # GitPython's watchdog kills first and flags the timeout after, so under load the command can
    # end, killed, before the flag is set and the "did not complete" text is never written. Only
    # the watchdog sends SIGKILL to a git promptsync started: that exit status is the timeout too.
    if _TIMED_OUT in stderr or _STALLED in stderr or exc.status == -signal.SIGKILL:
        return timed_out(args, timeout)
    return failed(args, stderr, hint)


def stderr_of(exc: GitCommandError) -> str:
    """git's own message, redacted, without GitPython's framing."""
    return git_message(str(exc.stderr or "").strip().removeprefix("stderr: "), exc.status)


