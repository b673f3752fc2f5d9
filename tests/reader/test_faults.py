"""Real servers going away: Redis down or hung, the database down, both down."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import redis
from prometheus_client import REGISTRY

from promptsync import PromptType
from tests.reader.conftest import wait_subscribed, wait_until
from tests.support.publisher import Publisher
from tests.support.servers import PostgresServer, RedisProcess, free_port

pytestmark = pytest.mark.timeout(90)
GREETING = PromptType.GREETING


def backend_errors(backend: str) -> float:
    value = REGISTRY.get_sample_value("promptsync_reader_backend_errors_total",
                                      {"backend": backend})
    return value or 0.0


def break_database(db_url: str, publisher: Publisher, postgres: PostgresServer | None) -> None:
    """PostgreSQL: drop the database under the reader. SQLite: overwrite the file with junk."""
    publisher.close()
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).write_bytes(b"this is not a database\n" * 512)
    else:
        assert postgres is not None
        postgres.drop_database(db_url)


@pytest.fixture
def postgres(db_url: str, request: pytest.FixtureRequest) -> PostgresServer | None:
    return request.getfixturevalue("_postgres") if db_url.startswith("postgresql") else None


def test_redis_down_reads_the_database_and_recovers(db_url: str, redis_process: RedisProcess,
                                                    make_reader) -> None:
    publisher = Publisher(db_url, redis_process.url)
    publisher.apply({"acme/greeting": ("v1", 1)})
    reader = make_reader(db_url, redis_process.url)
    wait_subscribed(reader)
    assert reader.get("acme", GREETING).source == "db"
    assert reader.get("acme", GREETING).source == "memory"

    redis_process.stop()
    # The subscription drops, so memory is bypassed; Redis is skipped, the database answers.
    assert wait_until(lambda: reader.get("acme", GREETING).source == "db")
    publisher.redis_url = None
    publisher.apply({"acme/greeting": ("v2", 2)})
    assert reader.get("acme", GREETING).version == 2

    redis_process.start()  # empty, as after a crash: no generation key until the daemon's
    publisher.redis_url = redis_process.url
    publisher.apply({"acme/greeting": ("v3", 3)})
    assert wait_until(lambda: reader.get("acme", GREETING)[3:6:2] == (3, "memory"), 10)
    publisher.close()


def test_hung_redis_costs_one_timeout_and_recovers(db_url: str, redis_process: RedisProcess,
                                                   make_reader) -> None:
    publisher = Publisher(db_url, redis_process.url)
    publisher.apply({"acme/greeting": ("v1", 1)})
    reader = make_reader(db_url, redis_process.url, memory=False, redis_timeout=0.1,
                         breaker_cooldown=3.0)
    assert reader.get("acme", GREETING).source == "db"
    assert reader.get("acme", GREETING).source == "redis"

    redis_process.pause()
    try:
        before = backend_errors("redis")
        answers = [reader.get("acme", GREETING) for _ in range(30)]
        assert {(a.source, a.version) for a in answers} == {("db", 1)}
        assert backend_errors("redis") == before + 1  # one timeout, then the breaker skips
    finally:
        redis_process.resume()
    assert wait_until(lambda: reader.get("acme", GREETING).source == "redis", 10)
    publisher.close()


def test_hung_redis_bypasses_the_memory_tier(db_url: str, redis_process: RedisProcess,
                                             make_reader) -> None:
    publisher = Publisher(db_url, redis_process.url)
    publisher.apply({"acme/greeting": ("v1", 1)})
    reader = make_reader(db_url, redis_process.url, redis_timeout=0.1)
    wait_subscribed(reader)
    reader.get("acme", GREETING)
    assert reader.get("acme", GREETING).source == "memory"
    redis_process.pause()
    try:
        publisher.redis_url = None  # the daemon cannot reach the hung Redis either
        publisher.apply({"acme/greeting": ("v2", 2)})
        # No event can arrive; the silent subscription stops vouching for memory.
        assert wait_until(lambda: reader.get("acme", GREETING).version == 2, 10)
        assert reader.get("acme", GREETING).source == "db"
    finally:
        redis_process.resume()
    publisher.close()


def test_database_down_redis_still_answers(db_url: str, redis_url: str, postgres,
                                           make_reader, caplog) -> None:
    publisher = Publisher(db_url, redis_url)
    publisher.apply({"acme/greeting": ("v1", 1)})
    reader = make_reader(db_url, redis_url, memory=False)
    assert reader.get("acme", GREETING).source == "db"
    break_database(db_url, publisher, postgres)
    with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
        assert [reader.get("acme", GREETING).source for _ in range(3)] == ["redis"] * 3
        redis.Redis.from_url(redis_url).flushdb()
        answers = [reader.get("acme", GREETING) for _ in range(5)]
    # Redis lost its copy and the database is gone: the last good copy from memory.
    assert {(a.source, a.version, a.template) for a in answers} == {("memory", 1, "v1")}
    never_read = reader.get("acme", PromptType.FAREWELL)
    assert never_read.source == "fallback"
    unavailable = [r for r in caplog.records if "database" in r.getMessage()
                   and "unavailable" in r.getMessage()]
    assert len(unavailable) == 1


def test_both_down_serves_last_good_copy_then_default(db_url: str, redis_process: RedisProcess,
                                                      postgres, make_reader, caplog) -> None:
    publisher = Publisher(db_url, redis_process.url)
    publisher.apply({"acme/greeting": ("v1", 4)})
    reader = make_reader(db_url, redis_process.url)
    wait_subscribed(reader)
    assert reader.get("acme", GREETING).version == 4
    redis_process.stop()
    break_database(db_url, publisher, postgres)
    with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
        assert wait_until(lambda: reader.get("acme", GREETING).source == "memory")
        for _ in range(10):
            stale = reader.get("acme", GREETING)
            assert (stale.source, stale.version, stale.brand) == ("memory", 4, "acme")
            assert reader.get("acme", PromptType.HANDOFF).source == "fallback"
    assert reader.render("acme", PromptType.HANDOFF, {"user_name": "Dana"}).startswith(
        "Thanks, Dana.")
    stale_logs = [r for r in caplog.records if "last good copy" in r.getMessage()]
    assert len(stale_logs) == 1


def test_database_on_a_closed_port(redis_url: str, make_reader) -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    reader = make_reader(url, redis_url)
    before = backend_errors("database")
    answers = [reader.get("acme", GREETING) for _ in range(5)]
    assert {a.source for a in answers} == {"fallback"}
    assert backend_errors("database") == before + 1


def test_missing_sqlite_file_is_not_created(tmp_path: Path, make_reader) -> None:
    path = tmp_path / "absent.db"
    reader = make_reader(f"sqlite:///{path}", None)
    assert reader.get("acme", GREETING).source == "fallback"
    assert not path.exists()


def test_passwords_in_query_parameters_never_reach_reader_warnings(make_reader, caplog) -> None:
    db = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing?password=s3cret"
    cache = f"redis://127.0.0.1:{free_port()}/0?password=s3cret"
    with caplog.at_level(logging.DEBUG, logger="promptsync"):
        reader = make_reader(db, cache)
        assert reader.get("acme", GREETING).source == "fallback"
        assert wait_until(lambda: any("subscription lost" in r.getMessage()
                                      for r in caplog.records))
    unavailable = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(unavailable) == 2 and all("127.0.0.1" in m for m in unavailable)
    assert not [r.getMessage() for r in caplog.records if "s3cret" in r.getMessage()]
