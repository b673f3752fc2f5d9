"""Suite-wide fixtures: pinned git identity, real Redis, real PostgreSQL, SQLite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine

from promptsync.store.engine import make_engine
from tests.support.gitrepo import GitRepo
from tests.support.servers import PostgresServer, RedisProcess, shared_redis

pytest_plugins = ["tests.support.snapshot"]
MAX_WORKERS = 4

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Editor",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Editor",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers halve the suite's time on two cores: most of it is spent waiting on git,
    servers and subprocesses. Each worker starts its own private Redis and PostgreSQL; with
    REDIS_URL set, the first worker uses that server and the others start their own
    (tests/support/servers.py shared_redis: one server's pub/sub channels cannot be split)."""
    cores = len(os.sched_getaffinity(0))
    return min(cores, MAX_WORKERS) if cores > 1 else 0


def pytest_configure(config: pytest.Config) -> None:
    os.environ.update(GIT_ENV)
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    # Tests must not pick up an operator's settings from the environment.
    for name in ("PROMPTSYNC_REPO", "PROMPTSYNC_REF", "PROMPTSYNC_DB_URL", "PROMPTSYNC_REDIS_URL"):
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def _redis_server() -> Iterator[str]:
    with shared_redis() as url:
        yield url


@pytest.fixture
def redis_url(_redis_server: str) -> str:
    """A real Redis, emptied for this test."""
    client = redis.Redis.from_url(_redis_server)
    client.flushdb()
    client.close()
    return _redis_server


@pytest.fixture
def redis_process() -> Iterator[RedisProcess]:
    """A private redis-server this test may stop, pause (SIGSTOP) and restart."""
    server = RedisProcess().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def _postgres() -> Iterator[PostgresServer]:
    server = PostgresServer(os.environ.get("DATABASE_URL"))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_url(_postgres: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test."""
    url = _postgres.take_database()
    try:
        yield url
    finally:
        _postgres.give_back(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'promptsync.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on `db_url` (SQLite, then PostgreSQL), disposed after the test."""
    made = make_engine(db_url)
    try:
        yield made
    finally:
        made.dispose()


@pytest.fixture
def prompt_repo(tmp_path: Path) -> GitRepo:
    """A git repository holding the project's own prompts/ and schema/, committed on main."""
    return GitRepo.init(tmp_path / "repo")
