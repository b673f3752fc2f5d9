"""Redis ahead of the database (a restored database, or another database pointed at an old
Redis) is rebuilt from the database: a generation that is not the database's is wrong in
either direction."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptType
from promptsync.reader import PromptReader
from promptsync.store.engine import make_engine
from promptsync.store.state import PublishedState
from tests.daemon.helpers import bump_greeting, read_event, redis_gen, state, sync_once
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(90)
Snapshot = Callable[[str], str]


@pytest.fixture
def snapshot() -> Iterator[Snapshot]:
    """`snapshot(url)`: a copy of the database as it is now (a backup), as a new URL."""
    made: list[str] = []

    def take(url: str) -> str:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            copy = f"{parsed.database}.backup-{len(made)}"
            with sqlite3.connect(str(parsed.database)) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
            return f"sqlite:///{copy}"
        name = f"ps_backup_{uuid.uuid4().hex[:10]}"
        admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
        admin.dispose()
        made.append(parsed.set(database=name).render_as_string(hide_password=False))
        return made[-1]

    yield take
    for url in made:
        admin = create_engine(make_url(url).set(database="postgres"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def _greeting(db_url: str, redis_url: str) -> str:
    reader = PromptReader(db_url=db_url, redis_url=redis_url, memory=False)
    try:
        return reader.get("northwind", PromptType.GREETING).template
    finally:
        reader.close()


def test_a_database_swapped_for_an_older_one_rebuilds_redis_from_it(
        prompt_repo: GitRepo, db_url: str, redis_url: str, snapshot: Snapshot) -> None:
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    backup = snapshot(db_url)  # at the first commit, generation 1
    edit = bump_greeting(prompt_repo, "trail")
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    assert "trail" in _greeting(db_url, redis_url)  # read through, now cached in Redis
    # The edit was bad: the database is restored from the backup and the edit reverted in git.
    prompt_repo.git("revert", "--no-edit", edit)
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    try:
        pubsub.subscribe("promptsync:events")
        assert sync_once(prompt_repo, backup, redis_url) == 0
        assert state(backup) == (prompt_repo.head(), 1)  # the revert changed nothing there
        assert "trail" not in _greeting(backup, redis_url)  # a fresh reader
        assert redis_gen(redis_url) == 1  # reset to the database's, not left at 2
        event = read_event(pubsub)
        assert (event["generation"], event["reset"]) == (1, True)
        assert "northwind/greeting" in event["changed"]  # readers without `reset` drop it too
    finally:
        pubsub.close()
        client.close()


def test_a_restored_database_climbing_back_to_redis_s_generation_does_not_mask_it(
        prompt_repo: GitRepo, sqlite_url: str, redis_url: str, snapshot: Snapshot) -> None:
    bump_greeting(prompt_repo, "two")
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    backup = snapshot(sqlite_url)  # generation 1
    bad = bump_greeting(prompt_repo, "three")
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    assert "three" in _greeting(sqlite_url, redis_url)  # cached in Redis at generation 2
    # Restore, revert, and one more change: applying it brings the database to generation 2.
    prompt_repo.git("revert", "--no-edit", bad)
    prompt_repo.bump("prompts/northwind/handoff.yaml", "", "")
    head = prompt_repo.commit("Handoff")
    assert sync_once(prompt_repo, backup, redis_url) == 0
    assert state(backup) == (head, 2) and redis_gen(redis_url) == 2
    assert "three" not in _greeting(backup, redis_url)


def test_a_new_database_pointed_at_an_old_redis_empties_it(prompt_repo: GitRepo,
                                                           sqlite_url: str,
                                                           redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("promptsync:gen", 7)
    client.set("promptsync:prompt:northwind:greeting", '{"stale": true}')
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    assert redis_gen(redis_url) == 1
    assert client.keys("promptsync:prompt:*") == []
    assert int(client.get("promptsync:published") or 0) == 1
    client.close()


def test_a_daemon_holding_an_older_state_never_lowers_a_newer_generation(
        prompt_repo: GitRepo, db_url: str, redis_url: str) -> None:
    """Two daemons on one database: one read the state just before the other applied and
    raised Redis. Redis is then ahead of what the slow one read, not of the database."""
    first = prompt_repo.head()
    syncer = Syncer(GitSource(str(prompt_repo.path)), "main", make_engine(db_url), None)
    try:
        assert sync_once(prompt_repo, db_url, redis_url) == 0
        bump_greeting(prompt_repo, "trail")
        assert sync_once(prompt_repo, db_url, redis_url) == 0
        client = redis.Redis.from_url(redis_url)
        client.set("promptsync:prompt:acme:greeting", '{"cached": "at generation 2"}')
        from promptsync.cache.invalidate import Invalidator

        syncer.cache.invalidator = Invalidator(redis_url)
        assert syncer.cache.heal(PublishedState(first, 1))  # the slow daemon's view
        assert redis_gen(redis_url) == 2
        assert client.exists("promptsync:prompt:acme:greeting") == 1
        syncer.cache.invalidator.close()
        client.close()
    finally:
        syncer.engine.dispose()
