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
"""

from __future__ import annotations

import logging
import re
import signal
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, cast

import git
from git.exc import GitCommandError, GitCommandNotFound

from promptsync.credentials import redact
from promptsync.errors import GitError
from promptsync.gitio.lifetime import die_with_parent

log = logging.getLogger(__name__)

LOCAL_TIMEOUT = 300.0  # s; a history of 100,000 commits reads in seconds: this is a hang
NETWORK_TIMEOUT = 120.0  # s; one clone or fetch
NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0"}
_TIMED_OUT = "did not complete in"
# git's own stall limit (GIT_HTTP_LOW_SPEED_TIME, which the mirror sets to its timeout) can fire
# before GitPython's watchdog: the same time limit, reached by the other clock.
_STALLED = "Operation too slow"
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_TAKES_VALUE = {"-m", "-L", "-C", "-c"}
# Commands that wait on the network (and may wait for ever): they die with us.
_NETWORK = frozenset({"clone", "fetch", "push", "ls-remote", "pull"})


class GitTimeout(GitError):
    """A git command ran past its time limit and was killed."""


def describe(args: Sequence[str]) -> str:
    """`git` and the command's words without its options (nor their values), shas shortened:
    `git fetch origin`, `git cat-file`, `git update-ref refs/heads/main 1a2b3c4 0d9e8f7`."""
    words: list[str] = []
    skip = False
    for arg in args:
        if not skip and not arg.startswith("-") and "\n" not in arg:
            words.append(arg[:7] if _SHA.fullmatch(arg) else arg)
        skip = arg in _TAKES_VALUE
    return redact(" ".join(["git", *words]))


def outlives_us(command: Sequence[str]) -> bool:
    """Whether `git ...` may keep running after we die: a network command does."""
    words = command.split() if isinstance(command, str) else list(command)
    skip = False
    for arg in words[1:]:
        if not skip and not arg.startswith("-"):
            return arg in _NETWORK  # the subcommand: the first word that is not an option
        skip = arg in _TAKES_VALUE
    return False


def not_a_repository(path: Path | str, inside: Path | str | None = None) -> GitError:
    """The one "not a git repository" error, with its hint."""
    hint = (f"it is inside the repository {inside}: pass --repo {inside}" if inside
            else "pass --repo DIR or set PROMPTSYNC_REPO")
    return GitError(f"{path} is not a git repository (hint: {hint})")


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
    with _stdin(input) as stream:
        try:
            out = runner.execute(["git", *args], istream=stream, env=dict(env or {}),
                                 kill_after_timeout=timeout, stdout_as_string=False,
                                 strip_newline_in_stdout=False)
        except GitCommandNotFound:
            raise GitError("the git command was not found (hint: install git)") from None
        except GitCommandError as exc:
            raise failure(args, exc, timeout, hint) from None
    assert isinstance(out, bytes)
    return out


def failure(args: Sequence[str], exc: GitCommandError, timeout: float,
            hint: str = "") -> GitError:
    """The GitError for a failed command: its name, git's redacted stderr, a hint."""
    name = describe(args)
    stderr = stderr_of(exc)
    # GitPython's watchdog kills first and flags the timeout after, so under load the command can
    # end, killed, before the flag is set and the "did not complete" text is never written. Only
    # the watchdog sends SIGKILL to a git promptsync started: that exit status is the timeout too.
    if _TIMED_OUT in stderr or _STALLED in stderr or exc.status == -signal.SIGKILL:
        return GitTimeout(f"{name} timed out after {timeout:g} s")
    return GitError(f"{name} failed: {stderr}" + (f" (hint: {hint})" if hint else ""))


def stderr_of(exc: GitCommandError) -> str:
    """git's own message, redacted, without GitPython's framing."""
    text = str(exc.stderr or "").strip().removeprefix("stderr: ").strip("'\n ")
    return redact(" ".join(text.split()) or f"exit status {exc.status}")


@contextmanager
def _stdin(data: bytes | None) -> Iterator[BinaryIO | None]:
    # A file, not a pipe: git reads it at its own pace, so no thread has to feed it while the
    # output is read (a pipe of a few MB of blob ids would deadlock against git's stdout).
    if data is None:
        yield None
        return
    with tempfile.TemporaryFile(prefix="promptsync-git-") as f:
        f.write(data)
        f.seek(0)
        yield cast(BinaryIO, f)
