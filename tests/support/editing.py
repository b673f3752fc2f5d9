"""Helpers for the editors' workflow tests: run the real CLI, edit prompts like an editor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from promptsync.gitio.repo import GitRepository
from promptsync.history.log import Change, read_history
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

GREETING = "prompts/default/greeting.yaml"
FAREWELL = "prompts/default/farewell.yaml"


def cli(*args: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`promptsync ARGS` as a separate process running this worktree's code."""
    return subprocess.run([sys.executable, "-m", "promptsync", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})})


def history(path: Path) -> list[Change]:
    """`read_history` of the repository at `path`, opened and closed around the call."""
    with GitRepository(path) as repo:
        return read_history(repo)


def commit_as(repo: GitRepo, message: str, author: str, date: str | None = None) -> str:
    """Commit everything with another author (and date), as a second editor would."""
    repo.git("add", "-A")
    args = ["commit", "-q", f"--author={author}", "-m", message]
    if date:
        args.append(f"--date={date}")
    repo.git(*args)
    return repo.head()


def blobs_read_after_close(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The blob ids read through a GitRepository after it was closed, from now on. Such a read
    makes GitPython start a `git cat-file --batch` child that nobody ends."""
    closed: list[GitRepository] = []
    late: list[str] = []
    close, read_blob = GitRepository.close, GitRepository.read_blob

    def closing(self: GitRepository) -> None:
        closed.append(self)
        close(self)

    def reading(self: GitRepository, blob: str) -> bytes:
        if any(r is self for r in closed):
            late.append(blob)
        return read_blob(self, blob)

    monkeypatch.setattr(GitRepository, "close", closing)
    monkeypatch.setattr(GitRepository, "read_blob", reading)
    return late


HISTORY_BRANDS = 25


def fast_import(path: Path, commits: int) -> None:
    """A repository of `commits` prompt edits, written in one `git fast-import` stream."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    versions = [0] * HISTORY_BRANDS
    chunks: list[bytes] = []
    for n in range(commits):
        brand = n % HISTORY_BRANDS
        versions[brand] += 1
        content = (f"type: GREETING\nversion: {versions[brand]}\ntemplate: |\n"
                   f"  Hello number {n} from brand {brand}\n").encode()
        message = f"Edit {n}\n".encode()
        chunks.append(b"commit refs/heads/main\n")
        stamp = 1_700_000_000 + n * 60
        chunks.append(f"author Ed {brand} <ed{brand}@example.com> {stamp} +0000\n".encode())
        chunks.append(f"committer Ed {brand} <ed{brand}@example.com> {stamp} +0000\n".encode())
        chunks.append(b"data %d\n%s" % (len(message), message))
        chunks.append(f"M 100644 inline prompts/brand-{brand}/greeting.yaml\n".encode())
        chunks.append(b"data %d\n%s\n" % (len(content), content))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(chunks),
                   check=True)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=path, check=True)
