"""A fresh clone of this repository as shipped: what a newcomer gets from `git clone`.

The commit checked out here (HEAD) is pushed as `main` to a bare repository in a temporary
folder, and cloned from there: the clone has `main` and `origin/main`, the project's history and
nothing of this checkout's untracked or uncommitted files. Commands run in it with this
checkout's `promptsync` (the installed package), so a test needs no second virtual environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.gitrepo import PROJECT_ROOT


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def fresh_clone(folder: Path) -> Path:
    """`folder`/origin.git (main = this checkout's HEAD) and its clone `folder`/promptsync."""
    origin = folder / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=folder)
    git("fetch", "-q", str(PROJECT_ROOT), "HEAD:refs/heads/main", cwd=origin)
    git("clone", "-q", str(origin), "promptsync", cwd=folder)
    return folder / "promptsync"


def promptsync(clone: Path, *args: str, env: dict[str, str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    """`promptsync ARGS` in `clone`, stdout and stderr as one stream, as a terminal shows it."""
    return subprocess.run([sys.executable, "-m", "promptsync", *args], cwd=clone,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def shipped_prompts(dest: Path) -> None:
    """This checkout's committed prompts/ and schema/ (HEAD's, as a clone has them), written
    into `dest`: for a demo repository whose history the README makes up (fixed dates and
    authors), with the prompts as shipped."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD", "prompts", "schema"],
                             cwd=PROJECT_ROOT, capture_output=True, check=True, timeout=120)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True, timeout=120)
