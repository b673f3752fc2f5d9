"""The policy every git process follows, and the one-shot local command run without GitPython.

GitPython costs ~40 ms to import and parses the repository's config when a Repo opens: more
than a `promptsync validate` of cached files does in all. A one-shot command that reads a local
repository (rev-parse, ls-tree, cat-file --batch, log, diff) needs none of it: it is spawned
here with `subprocess`, without a `preexec_fn`, so Python uses vfork (a spawn that does not copy
the page tables of a process holding every prompt). Such a command writes to a pipe we hold
and ends with EPIPE once we are gone, so it needs no parent-death signal (see `command`).
The policy (time limit, no prompts, the C locale GitPython sets too, errors that name the
command with git's stderr redacted) is written here once; `command` applies it to GitPython's
processes.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

from promptsync.credentials import redact
from promptsync.errors import GitError

LOCAL_TIMEOUT = 300.0  # s; a history of 100,000 commits reads in seconds: this is a hang
NETWORK_TIMEOUT = 120.0  # s; one clone or fetch
NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0"}
# git's messages in English whatever the user's locale (what GitPython sets for its commands):
# promptsync reads some of them, and people search for them.
C_LOCALE = {"LANGUAGE": "C", "LC_ALL": "C"}
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


def git_not_found() -> GitError:
    return GitError("the git command was not found (hint: install git)")


def git_message(stderr: str, status: object) -> str:
    """git's own message on one line, redacted (its exit status when it said nothing)."""
    text = stderr.strip("'\n ")
    return redact(" ".join(text.split()) or f"exit status {status}")


def failed(args: Sequence[str], message: str, hint: str = "") -> GitError:
    """The GitError of a command that failed: its name, git's message, a hint."""
    return GitError(f"{describe(args)} failed: {message}" + (f" (hint: {hint})" if hint else ""))


def timed_out(args: Sequence[str], timeout: float) -> GitTimeout:
    return GitTimeout(f"{describe(args)} timed out after {timeout:g} s")


def run_local(where: Path, args: Sequence[str], *, input: bytes | None = None,
              env: Mapping[str, str] | None = None, timeout: float = LOCAL_TIMEOUT,
              hint: str = "") -> bytes:
    """`git ARGS` run in `where` (a work tree's top or a bare repository), stdout as bytes; a
    failure or a timeout becomes a GitError. For local commands only (see the module's doc)."""
    environment = {**os.environ, **C_LOCALE, **NO_PROMPT, **(env or {})}
    with stdin_file(input) as stdin:
        try:
            done = subprocess.run(["git", *args], cwd=where, env=environment,
                                  stdin=subprocess.DEVNULL if stdin is None else stdin,
                                  capture_output=True, timeout=timeout, check=False)
        except FileNotFoundError as exc:
            if exc.filename != "git":
                raise not_a_repository(where) from None  # the folder itself is gone
            raise git_not_found() from None
        except subprocess.TimeoutExpired:
            raise timed_out(args, timeout) from None
    if done.returncode != 0:
        raise failed(args, git_message(done.stderr.decode("utf-8", "replace"), done.returncode),
                     hint)
    return done.stdout


@contextmanager
def stdin_file(data: bytes | None) -> Iterator[BinaryIO | None]:
    """`data` as a git command's stdin (None: nothing). A file, not a pipe: git reads it at its
    own pace, so no thread has to feed it while the output is read (a pipe of a few MB of blob
    ids would deadlock against git's stdout)."""
    if data is None:
        yield None
        return
    import tempfile  # (with shutil and random: most commands send no stdin)

    with tempfile.TemporaryFile(prefix="promptsync-git-") as f:
        f.write(data)
        f.seek(0)
        yield cast(BinaryIO, f)
