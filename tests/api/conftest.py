"""Fixtures of the API tests: a synced repository and a real server answering over HTTP."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptsync.api.keys import KeyStore, Scope
from tests.api.server import Running, make_context, running
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo
from tests.support.gitserver import GitServer


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "promptsync-keys.json"


_SYNCED: dict[str, Path] = {}  # head commit -> a SQLite file the daemon synced it into


@pytest.fixture
def synced(prompt_repo: GitRepo, sqlite_url: str) -> tuple[GitRepo, str]:
    """The project's prompts committed and synced into SQLite by the real daemon: the first
    test of a process syncs, the others get a copy of that file (every prompt_repo of a
    process is a copy of one repository, the same commit; a sync was a second a test)."""
    head = prompt_repo.head()
    if head not in _SYNCED:
        folder = Path(tempfile.mkdtemp(prefix="promptsync-synced-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        assert sync_once(prompt_repo, f"sqlite:///{folder / 'promptsync.db'}") == 0
        _SYNCED[head] = folder / "promptsync.db"
    target = Path(sqlite_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal"):  # the log too, should the daemon have left one
        source = _SYNCED[head].with_name(_SYNCED[head].name + suffix)
        if source.exists():
            shutil.copy2(source, target.with_name(target.name + suffix))
    return prompt_repo, sqlite_url


@pytest.fixture
def api(synced: tuple[GitRepo, str], keys_file: Path) -> Iterator[Running]:
    """A real uvicorn serving the API over the synced database (no keys yet)."""
    repo, db = synced
    with running(make_context(repo.path, db, keys_file)) as served:
        yield served


def add_key(keys_file: Path, name: str, scope: Scope, brands: list[str] | None = None) -> str:
    return KeyStore(keys_file).add(name, scope, brands)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def git_server(tmp_path: Path) -> Iterator[GitServer]:
    """A real `git daemon --enable=receive-pack` on a loopback port (a folder is not a server)."""
    server = GitServer(tmp_path / "server")
    try:
        yield server.start()
    finally:
        server.close()
