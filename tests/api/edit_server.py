"""A writing API: a real uvicorn, a real daemon in the same process woken by each write to main,
and API keys, over a real repository and database."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from promptsync.api.keys import KeyStore, Scope
from tests.api.server import Running, make_context, running
from tests.daemon.helpers import RunningDaemon
from tests.support.gitrepo import PROJECT_ROOT, GitRepo


@dataclasses.dataclass
class WritingApi:
    server: Running
    repo: GitRepo
    db_url: str
    key: str  # scope write, every brand
    daemon: RunningDaemon | None


@contextmanager
def writing_api(repo: GitRepo, db_url: str, keys_file: Path, *, write_to: str = "main",
                redis_url: str | None = None, daemon: bool = True) -> Iterator[WritingApi]:
    key = KeyStore(keys_file).add("dana", Scope.WRITE, None)
    ctx = make_context(repo.path, db_url, keys_file, write_to=write_to, redis_url=redis_url)
    with _daemon(repo, db_url, redis_url, daemon) as running_daemon:
        if running_daemon is not None:
            ctx = dataclasses.replace(ctx, wake_daemon=running_daemon.daemon.waker.wake)
        with running(ctx) as server:
            yield WritingApi(server, repo, db_url, key, running_daemon)


@contextmanager
def _daemon(repo: GitRepo, db_url: str, redis_url: str | None,
            wanted: bool) -> Iterator[RunningDaemon | None]:
    if not wanted:
        yield None
        return
    with RunningDaemon(str(repo.path), db_url, redis_url, interval=30.0) as daemon:
        yield daemon


READER_SCRIPT = """
import sys, time
from promptsync import PromptReader
reader = PromptReader(db_url=sys.argv[1], redis_url=sys.argv[2] or None)
want, deadline = int(sys.argv[3]), time.monotonic() + 30
while True:
    p = reader.get("default", "greeting")
    if p.version >= want or time.monotonic() > deadline:
        print(p.version, p.commit, p.source)
        break
    time.sleep(0.005)
reader.close()
"""


def reader_in_another_process(db_url: str, redis_url: str | None, version: int) -> list[str]:
    """What a PromptReader in a separate Python process serves for default/greeting, once it
    serves `version` (or after 30 s): [version, commit, source]."""
    proc = subprocess.run([sys.executable, "-c", READER_SCRIPT, db_url, redis_url or "",
                           str(version)], capture_output=True, text=True, timeout=90,
                          cwd=PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()
