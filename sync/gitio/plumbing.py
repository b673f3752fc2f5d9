"""Running `git` as a subprocess, for the plumbing GitPython does not make simple: bytes in and
out (`cat-file --batch`, `hash-object --stdin`) and a private index (`GIT_INDEX_FILE`)."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from promptsync.errors import GitError

log = logging.getLogger(__name__)
ZERO_SHA = "0" * 40


def git(repo: Path, *args: str, input: bytes | None = None,
        env: Mapping[str, str] | None = None, ok_codes: tuple[int, ...] = (0,)) -> bytes:
    """`git -C repo <args>`; stdout as bytes. A failure becomes a GitError naming the command."""
    command = ["git", "-C", str(repo), *args]
    log.debug("running %s", " ".join(command))
    try:
        proc = subprocess.run(command, input=input, capture_output=True,
                              env={**os.environ, **(env or {})}, check=False)
    except FileNotFoundError:
        raise GitError("the git command was not found (hint: install git)") from None
    if proc.returncode not in ok_codes:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        shown = " ".join(a for a in args if not a.startswith("--format"))
        raise GitError(f"git {shown} failed: {stderr} "
                       "(hint: is --repo a git repository with that revision?)")
    return proc.stdout


def check_repository(repo: Path) -> Path:
    """`repo` itself when it is a git repository (bare or not); else a GitError with a hint."""
    try:
        git(repo, "rev-parse", "--git-dir")
    except GitError:
        raise GitError(f"{repo} is not a git repository "
                       "(hint: pass --repo DIR or set PROMPTSYNC_REPO)") from None
    return repo


def read_blobs(repo: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The content of many blobs from one `git cat-file --batch`; missing ones are left out."""
    wanted = sorted(set(blobs) - {ZERO_SHA})
    if not wanted:
        return {}
    out = git(repo, "cat-file", "--batch", input="".join(f"{b}\n" for b in wanted).encode())
    contents: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        eol = out.index(b"\n", pos)
        header = out[pos:eol].split()
        pos = eol + 1
        if len(header) != 3:  # "<sha> missing" (e.g. a shallow clone)
            continue
        size = int(header[2])
        contents[header[0].decode()] = out[pos:pos + size]
        pos += size + 1
    return contents


def short(sha: str) -> str:
    return sha[:7]
