"""Helpers for the editors' workflow tests: run the real CLI, edit prompts like an editor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.gitrepo import PROJECT_ROOT, GitRepo

GREETING = "prompts/default/greeting.yaml"
FAREWELL = "prompts/default/farewell.yaml"


def cli(*args: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`promptsync ARGS` as a separate process running this worktree's code."""
    return subprocess.run([sys.executable, "-m", "sync", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})})


def commit_as(repo: GitRepo, message: str, author: str, date: str | None = None) -> str:
    """Commit everything with another author (and date), as a second editor would."""
    repo.git("add", "-A")
    args = ["commit", "-q", f"--author={author}", "-m", message]
    if date:
        args.append(f"--date={date}")
    repo.git(*args)
    return repo.head()


def set_line(repo: GitRepo, rel: str, old: str, new: str) -> None:
    """Replace text and bump the version, as an editor must."""
    before = repo.read(rel)
    assert old in before, f"{old!r} not in {rel}"
    repo.bump(rel, old, new)
