"""git children die with the process that started them, even when it is killed with SIGKILL.

Without that, a SIGKILLed daemon left `git cat-file --batch` children running for ever (a
process-pool worker forked while the repository was open keeps their stdin open) and a fetch
hung on the network running until the network gave up, which may be never. git's own HTTP
helper (git's child, not ours) gives up once the transfer has stalled for the mirror's limit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.support.gitrepo import GitRepo

CHILD = """
import os, sys, time
from pathlib import Path
from promptsync.gitio.mirror import Mirror
from promptsync.gitio.repo import GitRepository

repo = GitRepository(sys.argv[1])
head = repo.find("HEAD")  # GitPython starts `git cat-file --batch-check` for this
repo.read_blob(repo.files(head)[0].blob)  # and `git cat-file --batch` for this
sleeper = os.fork()  # like a process-pool worker: it holds the pipes to both
if sleeper == 0:
    time.sleep(600)
    os._exit(0)
print(sleeper, flush=True)
# A clone the silent server never answers; its HTTP helper is git's child, bounded by the
# mirror's limit (here 5 s) rather than by our death.
Mirror(sys.argv[2], Path(sys.argv[3]), timeout=5).refresh()
"""


@pytest.fixture
def silent_url() -> Iterator[str]:
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/prompts.git"
    finally:
        sock.close()


def wait_for(predicate, limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {limit} s waiting for {what}")
        time.sleep(0.05)


def git_children(parent: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in parent.children(recursive=True):
        try:
            if child.name().startswith("git"):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def commands(processes: list[psutil.Process]) -> set[str]:
    words = set()
    for p in processes:
        try:
            words.update(p.cmdline()[1:2])
        except psutil.NoSuchProcess:
            continue
    return words


def is_gone(p: psutil.Process) -> bool:
    try:
        return p.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.timeout(120)
def test_no_git_child_outlives_a_sigkilled_parent(prompt_repo: GitRepo, tmp_path: Path,
                                                  silent_url: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(prompt_repo.path), silent_url,
                             str(tmp_path / "mirror.git")], stdout=subprocess.PIPE, text=True)
    sleeper: int | None = None
    seen: list[psutil.Process] = []
    try:
        assert proc.stdout is not None
        sleeper = int(proc.stdout.readline())
        parent = psutil.Process(proc.pid)
        wait_for(lambda: {"cat-file", "clone", "remote-http"} <= commands(git_children(parent)),
                 30, "cat-file, clone and its HTTP helper to run")
        seen = git_children(parent)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        wait_for(lambda: all(is_gone(p) for p in seen), 30,
                 f"git children {commands(seen)} to end")
    finally:
        for pid in [p.pid for p in seen if not is_gone(p)] + ([sleeper] if sleeper else []):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
