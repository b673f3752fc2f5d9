"""Readers in threads and processes racing 50 commits; fork safety; asyncio."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from promptsync import PromptReader, PromptType
from tests.reader.conftest import loop_ticks_during, wait_subscribed, wait_until
from tests.reader.swarm import COMMITS, FORK, ReaderSwarm, assert_no_stale_reads
from tests.support.publisher import Publisher
from tests.support.servers import RedisProcess

GREETING = PromptType.GREETING


def apply_commit(publisher: Publisher, version: int) -> None:
    publisher.apply({"acme/greeting": (f"acme v{version}", version),
                     "default/greeting": (f"default v{version}", version)})


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_readers_race_fifty_commits(db_url: str, redis_url: str) -> None:
    publisher = Publisher(db_url, redis_url)
    apply_commit(publisher, 1)
    # Several processes reading through Redis and the database: the OS preempts them between
    # their read and their write-back, which is the window of the cache-aside race.
    swarm = ReaderSwarm(db_url, redis_url, processes=(True, False, False, False), threads=5)
    swarm.start()
    try:
        for version in range(2, COMMITS + 2):
            apply_commit(publisher, version)
            swarm.ledger.publish(version)
            time.sleep(0.005)
    finally:
        outcomes = swarm.stop()
        publisher.close()
    assert_no_stale_reads(outcomes, 9, COMMITS)
    assert sum(o["seen"].get("memory", 0) for o in outcomes) > 0


def child_after_fork(reader: PromptReader, go: Any, results: Any) -> None:
    first = reader.get("acme", GREETING)
    # The child's own subscriber must come up: memory answers again without the parent's.
    warmed = wait_until(lambda: reader.get("acme", GREETING).source == "memory", 10)
    results.put((first.version, first.source, warmed))
    go.wait(30)
    updated = wait_until(lambda: reader.get("acme", GREETING).version == 2, 10)
    results.put((updated, reader.render("acme", GREETING, {})))


@pytest.mark.timeout(90)
@pytest.mark.parametrize("with_redis", [True, False], ids=["events", "polling"])
def test_reader_created_before_fork_works_in_the_child(publisher: Publisher, db_url: str,
                                                       redis_url: str, make_reader,
                                                       with_redis: bool) -> None:
    publisher.apply({"acme/greeting": ("v1 {{ 40 + 2 }}", 1)})
    reader = make_reader(db_url, redis_url if with_redis else None)
    if with_redis:
        wait_subscribed(reader)
    reader.get("acme", GREETING)
    assert reader.get("acme", GREETING).source == "memory"

    go, results = FORK.Event(), FORK.Queue()
    child = FORK.Process(target=child_after_fork, args=(reader, go, results))
    child.start()
    version, source, warmed = results.get(timeout=30)
    assert version == 1 and source in ("redis", "db") and warmed
    publisher.apply({"acme/greeting": ("v2 {{ 40 + 3 }}", 2)})
    go.set()
    assert results.get(timeout=30) == (True, "v2 43")
    child.join(30)
    assert child.exitcode == 0
    # The parent's reader kept its own connections (and subscription) through the fork.
    assert wait_until(lambda: reader.get("acme", GREETING)[3:6:2] == (2, "memory"))


@pytest.mark.timeout(60)
def test_aget_answers_memory_hits_inline(publisher: Publisher, db_url: str, redis_url: str,
                                         make_reader) -> None:
    publisher.apply({"acme/greeting": ("Hi {{ user_name }}", 1)})
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)

    async def main() -> tuple[Any, Any, str]:
        first = await reader.aget("acme", GREETING)
        second = await reader.aget("acme", "greeting")
        text = await reader.arender("acme", GREETING, {"user_name": "Dana"})
        return first, second, text

    first, second, text = asyncio.run(main())
    assert (first.source, second.source, text) == ("db", "memory", "Hi Dana")
    with pytest.raises(ValueError):
        asyncio.run(reader.aget("acme", "nope"))


@pytest.mark.timeout(60)
def test_aget_does_not_block_the_event_loop(db_url: str, redis_process: RedisProcess,
                                            make_reader) -> None:
    publisher = Publisher(db_url, redis_process.url)
    publisher.apply({"acme/greeting": ("Hi", 1)})
    reader = make_reader(db_url, redis_process.url, memory=False, redis_timeout=0.5)

    redis_process.pause()
    try:
        # waits out the hung Redis's timeout
        prompt, ticks = loop_ticks_during(lambda: reader.aget("acme", GREETING))
    finally:
        redis_process.resume()
    assert (prompt.source, prompt.version) == ("db", 1)
    assert ticks > 0  # the loop kept running while the reader waited on Redis
    publisher.close()


@pytest.mark.timeout(60)
def test_arender_of_a_slow_template_does_not_block_the_event_loop(
        publisher: Publisher, db_url: str, redis_url: str, make_reader) -> None:
    # Loops until the render budget runs out: the slowest render a template can cause.
    loops = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    publisher.apply({"acme/farewell": (loops, 1)})
    reader = make_reader(db_url, redis_url, render_seconds=0.5)
    wait_subscribed(reader)
    reader.get("acme", PromptType.FAREWELL)
    assert reader.get("acme", PromptType.FAREWELL).source == "memory"  # aget answers inline

    text, ticks = loop_ticks_during(
        lambda: reader.arender("acme", PromptType.FAREWELL, {"user_name": "Dana"}))
    assert text.startswith("Thanks for chatting with us, Dana!")  # over budget: the built-in
    assert ticks >= 5  # the loop kept running for the half second the render took
