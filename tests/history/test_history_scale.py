"""History reads a long log in a fixed number of git processes (a shape, never a timing)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.support.editing import cli, fast_import


def counting_git(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A PATH whose `git` logs each call to a file, then runs the real git."""
    real = shutil.which("git")
    assert real is not None
    bin_dir, calls = tmp_path / "bin", tmp_path / "git-calls.log"
    bin_dir.mkdir(parents=True)
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$PWD $1 $2" >> "{calls}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, calls


def git_calls_for_history(tmp_path: Path, commits: int) -> tuple[list[str], list[dict]]:
    repo = tmp_path / f"repo-{commits}"
    fast_import(repo, commits)
    env, calls = counting_git(tmp_path / f"count-{commits}")
    proc = cli("history", "--repo", str(repo), "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    return calls.read_text().splitlines(), json.loads(proc.stdout)


@pytest.mark.timeout(120)
def test_git_processes_do_not_grow_with_the_log(tmp_path: Path) -> None:
    small_calls, small = git_calls_for_history(tmp_path, 40)
    large_calls, large = git_calls_for_history(tmp_path, 3000)
    assert len(small) == 40 and len(large) == 3000
    # Everything counts, even GitPython's `git version` at import; the history itself is two
    # processes in the repository: log, cat-file --batch (GitPython opens it without one).
    assert len(large_calls) == len(small_calls)
    assert [c.split()[1] for c in large_calls if "repo-3000" in c] == ["log", "cat-file"]
    newest = large[0]
    assert (newest["action"], newest["version_before"], newest["version_after"]) == (
        "update", 119, 120)
    assert large[-1]["action"] == "create"
