"""Which tier answers, brand resolution, the Redis stamp check, and the caller's one error."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import redis
from prometheus_client import REGISTRY

import promptsync
from promptsync import PromptReader, PromptType
from promptsync.cache.protocol import GENERATION_KEY, prompt_key
from promptsync.defaults import builtin
from promptsync.errors import UsageError
from tests.reader.conftest import GREETING_VARS, wait_subscribed, wait_until
from tests.support.publisher import Publisher

pytestmark = pytest.mark.timeout(60)


def fallbacks(type_: str, cause: str) -> float:
    value = REGISTRY.get_sample_value("promptsync_reader_fallback_total",
                                      {"type": type_, "cause": cause})
    return value or 0.0


def test_exported_from_the_package() -> None:
    assert promptsync.PromptReader is PromptReader
    assert promptsync.PromptType is PromptType


def test_database_then_redis_then_memory(publisher: Publisher, db_url: str, redis_url: str,
                                         make_reader) -> None:
    publisher.apply({"acme/greeting": ("Hi {{ user_name }} from Acme", 3)}, GREETING_VARS)
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)

    first = reader.get("acme", PromptType.GREETING)
    assert (first.source, first.brand, first.version) == ("db", "acme", 3)
    assert first.template == "Hi {{ user_name }} from Acme"
    assert first.commit == f"{1:040x}" and first.generation == 1
    assert first.variables["brand_name"]["required"] is True

    second = reader.get("acme", "greeting")
    assert second.source == "memory" and second[:5] == first[:5]

    cold = make_reader(db_url, redis_url, memory=False)
    from_redis = cold.get("acme", "GREETING")
    assert from_redis.source == "redis" and from_redis.version == 3
    assert cold.get("acme", PromptType.GREETING).source == "redis"


def test_record_is_immutable(publisher: Publisher, db_url: str, redis_url: str,
                             make_reader) -> None:
    publisher.apply({"default/farewell": ("Bye", 1)})
    prompt = make_reader(db_url, redis_url).get("acme", PromptType.FAREWELL)
    with pytest.raises(AttributeError):
        prompt.template = "changed"
    with pytest.raises(TypeError):
        prompt.variables["x"] = {}


def test_unknown_brand_answers_with_default(publisher: Publisher, db_url: str, redis_url: str,
                                            make_reader) -> None:
    publisher.apply({"default/greeting": ("Hello", 2), "acme/greeting": ("Hi", 5)})
    reader = make_reader(db_url, redis_url, memory=False)
    odd: list[Any] = [None, ["acme"], 42]
    for brand in ("zeta", "zeta", "Not A Brand!", "", "x" * 300, *odd):
        prompt = reader.get(brand, PromptType.GREETING)
        assert (prompt.brand, prompt.template, prompt.version) == ("default", "Hello", 2)
        assert prompt.source in ("db", "redis")
    assert reader.get("acme", PromptType.GREETING).template == "Hi"


def test_missing_prompt_uses_builtin_and_warns_once(publisher: Publisher, db_url: str,
                                                    redis_url: str, make_reader, caplog) -> None:
    publisher.apply({"acme/greeting": ("Hi", 1)})
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    before = fallbacks("HANDOFF", "missing")
    with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
        answers = [reader.get("acme", PromptType.HANDOFF) for _ in range(5)]
    assert all(a.source == "fallback" for a in answers)
    assert answers[0] == builtin(PromptType.HANDOFF)
    assert answers[0].brand == "default" and answers[0].commit == "builtin"
    warned = [r for r in caplog.records if "no HANDOFF prompt" in r.getMessage()]
    assert len(warned) == 1
    assert fallbacks("HANDOFF", "missing") == before + 5


def test_published_prompt_replaces_a_cached_fallback(publisher: Publisher, db_url: str,
                                                     redis_url: str, make_reader) -> None:
    publisher.apply({"acme/greeting": ("Hi", 1)})
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    assert reader.get("acme", PromptType.REJECTION).source == "fallback"
    publisher.apply({"default/rejection": ("No.", 1)})
    assert wait_until(lambda: reader.get("acme", PromptType.REJECTION).template == "No.")


def test_stale_redis_stamp_is_a_miss(publisher: Publisher, db_url: str, redis_url: str,
                                     make_reader) -> None:
    publisher.apply({"acme/greeting": ("Hi v1", 1)})
    publisher.apply({"acme/greeting": ("Hi v2", 2)})
    client = redis.Redis.from_url(redis_url)
    # What a reader that raced the second commit could have written back.
    client.set(prompt_key("acme", PromptType.GREETING), json.dumps(
        {"brand": "acme", "type": "GREETING", "version": 1, "template": "Hi v1",
         "variables": {}, "commit": "old", "generation": 1}))
    assert int(client.get(GENERATION_KEY) or 0) == 2
    reader = make_reader(db_url, redis_url, memory=False)
    prompt = reader.get("acme", PromptType.GREETING)
    assert (prompt.source, prompt.version) == ("db", 2)
    # The database's answer was written back with its own generation and now hits.
    assert json.loads(client.get(prompt_key("acme", PromptType.GREETING)) or "")[
        "generation"] == 2
    assert reader.get("acme", PromptType.GREETING).source == "redis"
    client.close()


def test_without_generation_key_redis_entries_are_misses(publisher: Publisher, db_url: str,
                                                         redis_url: str, make_reader) -> None:
    publisher.apply({"acme/greeting": ("Hi", 1)})
    reader = make_reader(db_url, redis_url, memory=False)
    assert reader.get("acme", PromptType.GREETING).source == "db"
    assert reader.get("acme", PromptType.GREETING).source == "redis"
    client = redis.Redis.from_url(redis_url)
    client.delete(GENERATION_KEY)  # as after a Redis restart
    client.close()
    assert reader.get("acme", PromptType.GREETING).source == "db"


def test_a_change_reaches_the_memory_tier(publisher: Publisher, db_url: str, redis_url: str,
                                          make_reader) -> None:
    publisher.apply({"acme/greeting": ("v1", 1), "default/greeting": ("d1", 1)})
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    assert reader.get("acme", PromptType.GREETING).version == 1
    assert reader.get("zeta", PromptType.GREETING).template == "d1"
    assert reader.get("zeta", PromptType.GREETING).source == "memory"
    publisher.apply({"acme/greeting": ("v2", 2)})
    assert wait_until(lambda: reader.get("acme", PromptType.GREETING).version == 2)
    publisher.apply({"default/greeting": ("d2", 2)})
    assert wait_until(lambda: reader.get("zeta", PromptType.GREETING).template == "d2")
    publisher.apply({"acme/greeting": None})
    assert wait_until(lambda: reader.get("acme", PromptType.GREETING).template == "d2")


def test_without_redis_memory_follows_the_database_generation(db_url: str,
                                                              make_reader) -> None:
    publisher = Publisher(db_url, None)  # a daemon without Redis: rows and generation only
    publisher.apply({"acme/greeting": ("v1", 1), "default/farewell": ("Bye", 1)})
    reader = make_reader(db_url, None)
    assert reader.get("acme", "greeting").source == "db"
    assert reader.get("acme", "greeting").source == "memory"
    assert reader.get("zeta", "farewell").source == "db"
    for version in range(2, 6):
        publisher.apply({"acme/greeting": (f"v{version}", version)})
        assert wait_until(lambda v=version: reader.get("acme", "greeting").version == v)
        assert wait_until(lambda: reader.get("acme", "greeting").source == "memory")
    publisher.apply({"default/farewell": None})
    assert wait_until(lambda: reader.get("zeta", "farewell").source == "fallback")
    publisher.close()


def test_settings_come_from_the_environment(publisher: Publisher, db_url: str, redis_url: str,
                                            monkeypatch) -> None:
    publisher.apply({"acme/greeting": ("Hi from env", 1)})
    monkeypatch.setenv("PROMPTSYNC_DB_URL", db_url)
    monkeypatch.setenv("PROMPTSYNC_REDIS_URL", redis_url)
    monkeypatch.setenv("PROMPTSYNC_REDIS_TIMEOUT", "0.2")
    with PromptReader(memory=False) as reader:
        assert reader.settings.redis_timeout == 0.2
        assert reader.get("acme", "greeting").template == "Hi from env"


@pytest.mark.parametrize("bad", ["GREETINGS", "acme", "", "system prompt"])
def test_unknown_type_raises_value_error(sqlite_url: str, bad: str) -> None:
    with PromptReader(db_url=sqlite_url) as reader, pytest.raises(ValueError, match="GREETING"):
        reader.get("acme", bad)


@pytest.mark.parametrize("bad", [None, 3, b"GREETING", ["GREETING"], PromptType])
def test_non_string_type_raises_value_error_as_documented(sqlite_url: str, bad: Any) -> None:
    with PromptReader(db_url=sqlite_url) as reader:
        for call in (reader.get, reader.render):
            with pytest.raises(ValueError, match="one of SYSTEM_PROMPT, GREETING") as caught:
                call("acme", bad)
            assert isinstance(caught.value, TypeError)  # what it raised before, for old callers
        with pytest.raises(ValueError, match="GREETING"):
            asyncio.run(reader.arender("acme", bad))


@pytest.mark.parametrize(("db", "cache"), [
    ("postgresql+nosuchdriver://u:s3cret@h/db", None),
    ("not a url :s3cret@", None),
    ("postgresql://u:s3cret@h:port/db", None),
    ("sqlite:///x.db", "http://u:s3cret@host"),
    ("postgresql+nosuchdriver://u@h/db?password=s3cret", None),
    ("postgresql://u@h:port/db?sslpassword=s3cret", None),
    ("sqlite:///x.db", "http://host/0?password=s3cret"),
])
def test_malformed_urls_raise_without_the_password(db: str, cache: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        PromptReader(db_url=db, redis_url=cache)
    assert "s3cret" not in str(caught.value)


def test_made_up_brands_do_not_fill_redis(publisher: Publisher, db_url: str, redis_url: str,
                                          make_reader) -> None:
    publisher.apply({"default/greeting": ("Hello", 1), "acme/greeting": ("Hi", 1),
                     "default/farewell": ("Bye", 1)})
    readers = [make_reader(db_url, redis_url), make_reader(db_url, redis_url, memory=False)]
    wait_subscribed(readers[0])
    for n in range(2000):
        prompt = readers[n % 2].get(f"made-up-{n}", PromptType.GREETING)
        assert (prompt.brand, prompt.template) == ("default", "Hello")
    client = redis.Redis.from_url(redis_url)
    made_up = client.keys("promptsync:prompt:made-up-*")
    # The answer is cached under the brand it came from, which serves every brand without one.
    assert made_up == [] and client.exists(prompt_key("default", PromptType.GREETING))
    assert len(client.keys("promptsync:prompt:*")) == 1  # the fleet's keys aside
    # A real brand without its own prompt of a type is still cached under its own name.
    assert readers[1].get("acme", PromptType.FAREWELL).template == "Bye"
    assert client.exists(prompt_key("acme", PromptType.FAREWELL))
    assert readers[1].get("acme", PromptType.FAREWELL).source == "redis"
    # Brand default's entry serves brand default from Redis.
    assert readers[1].get("default", PromptType.GREETING).source == "redis"
    client.close()


def test_a_lost_event_does_not_leave_memory_stale(publisher: Publisher, db_url: str,
                                                  redis_url: str, make_reader) -> None:
    publisher.apply({"acme/greeting": ("v1", 1)})
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    assert reader.get("acme", PromptType.GREETING).source == "db"
    assert reader.get("acme", PromptType.GREETING).source == "memory"
    # A daemon that committed generation 2 and raised promptsync:gen, then died before it
    # published the event.
    publisher.redis_url = None
    publisher.apply({"acme/greeting": ("v2", 2)})
    client = redis.Redis.from_url(redis_url)
    client.set(GENERATION_KEY, 2)
    client.close()
    assert wait_until(lambda: reader.get("acme", PromptType.GREETING).version == 2, 10)
    assert wait_until(lambda: reader.get("acme", PromptType.GREETING).source == "memory")


def test_a_prompt_read_often_stays_in_memory_while_made_up_brands_fill_it(
        publisher: Publisher, db_url: str, redis_url: str, make_reader) -> None:
    # A memory hit must count as a use: the hot path reads the tier without LRU.get, and a
    # read that forgot to mark its entry used let the chat's own prompt be evicted first.
    publisher.apply({"acme/greeting": ("Hi from Acme", 1), "default/farewell": ("Bye", 1)})
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    reader._memory.entries.max_entries = 20  # the bound, small enough to fill in a test
    assert reader.get("acme", PromptType.GREETING).source == "db"
    assert reader.get("acme", PromptType.GREETING).source == "memory"
    for n in range(60):
        reader.get(f"made-up-{n}", PromptType.FAREWELL)  # each one stored, the oldest evicted
        hot = reader.get("acme", PromptType.GREETING)
        assert (hot.source, hot.template) == ("memory", "Hi from Acme"), n
    assert len(reader._memory.entries) == 20
