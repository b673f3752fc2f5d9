"""A database emptied under a running server is rebuilt (issue 18, item 7): the daemon finds the
schema missing, migrates, loads the branch again, and /readyz recovers. PostgreSQL: the
database dropped and created again; SQLite: its files deleted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from promptsync.api.background import DaemonThread
from promptsync.cli.sync_cmd import SyncSettings, build_syncer
from promptsync.daemon.metrics import Metrics
from promptsync.store.engine import make_engine, sqlite_file
from tests.api.server import make_context, running
from tests.daemon.helpers import bump_greeting, query
from tests.support.gitrepo import GitRepo
from tests.support.servers import PostgresServer

LIMIT = 60.0
GREETING = "/v1/prompts/northwind/greeting"


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {LIMIT:.0f} s for {what}"
        time.sleep(0.05)  # polling a condition with a limit


def published(db: str) -> str | None:
    try:
        rows = query(db, "SELECT commit_sha FROM sync_state WHERE id = 1")
    except Exception:  # the tables are not there (yet)
        return None
    return rows[0]["commit_sha"] if rows else None


def ready(client: httpx.Client) -> bool:
    return client.get("/readyz").status_code == 200


def delete_sqlite(db: str) -> None:
    path = sqlite_file(make_engine(db, writer=False).url)
    assert path is not None
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.mark.timeout(120)
def test_an_emptied_database_is_rebuilt_and_readyz_recovers(
        prompt_repo: GitRepo, db_url: str, keys_file: Path,
        request: pytest.FixtureRequest) -> None:
    settings = SyncSettings(repo=str(prompt_repo.path), ref="main", db_url=db_url,
                            redis_url=None, once=False, interval=0.5, allow_empty=False,
                            metrics_port=None, metrics_host="127.0.0.1", cache_dir=None)
    syncer = build_syncer(settings, Metrics())
    assert syncer.cycle().status == "applied"
    daemon = DaemonThread(syncer, 0.5).start()
    ctx = replace(make_context(prompt_repo.path, db_url, keys_file), wake_daemon=daemon.wake,
                  daemon_metrics=daemon.metrics)
    try:
        with running(ctx) as served:
            wait_for(lambda: ready(served.client), "/readyz before the database is emptied")
            if db_url.startswith("sqlite"):
                delete_sqlite(db_url)
            else:
                server: PostgresServer = request.getfixturevalue("_postgres")
                server.empty_database(db_url)
            assert published(db_url) is None
            wait_for(lambda: published(db_url) == prompt_repo.head(),
                     "the daemon to load the branch into the emptied database")
            wait_for(lambda: ready(served.client), "/readyz to recover")
            answer = served.client.get("/v1/prompts?brand=northwind").json()
            assert {c["commit"] for c in answer["prompts"]
                    if c["answered_by"] == "northwind"} == {prompt_repo.head()}
            # The reader inside the server reads the new database, not the one emptied.
            head = bump_greeting(prompt_repo, "after the rebuild")
            wait_for(lambda: served.client.get(GREETING).json()["commit"] == head,
                     "the server's reader to serve a commit published after the rebuild")
    finally:
        daemon.stop()
        syncer.engine.dispose()
