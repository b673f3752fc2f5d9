"""Fixtures of the API tests: a synced repository and a real server answering over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from promptsync.api.keys import KeyStore, Scope
from tests.api.server import Running, make_context, running
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "promptsync-keys.json"


@pytest.fixture
def synced(prompt_repo: GitRepo, sqlite_url: str) -> tuple[GitRepo, str]:
    """The project's prompts committed and synced into SQLite by the real daemon."""
    assert sync_once(prompt_repo, sqlite_url) == 0
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
