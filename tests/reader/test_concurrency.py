"""Readers in threads and processes racing 50 commits; fork safety; asyncio."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from typing import Any

import pytest

from sync import PromptReader, PromptType
from tests.reader.conftest import Publisher, wait_subscribed, wait_until
from tests.support.servers import RedisProcess

GREETING = PromptType.GREETING
COMMITS = 50
# The in-process tier may lag an applied commit by the event's travel time; a generous bound
# keeps a loaded test machine from failing the test, a missed event would still exceed it.
MEMORY_GRACE = 1.0
FORK = multiprocessing.get_context("fork")


class Ledger:
    """What the writer has applied, shared with reader processes: version -> time applied."""

    def __init__(self) -> None:
        self.applied = FORK.Value("i", 1)
        self.applied_at = FORK.Array("d", COMMITS + 2)
        self.stop = FORK.Event()

    def publish(self, version: int) -> None:
        self.applied_at[version] = time.monotonic()
        self.applied.value = version

    def required_for_memory(self, started: float) -> int:
        """The newest version applied at least MEMORY_GRACE before `started`."""
        newest = 1
        for version in range(2, self.applied.value + 1):
            if self.applied_at[version] <= started - MEMORY_GRACE:
                newest = version
        return newest


def read_loop(reader: PromptReader, ledger: Ledger) -> dict[str, Any]:
    """Read until stopped; every answer is checked against what was applied before the read."""
    seen: dict[str, int] = {}
    problems: list[str] = []
    n = 0
    while not ledger.stop.is_set():
        brand = "acme" if n % 2 else "zeta"  # zeta has no prompt: default's answers
        n += 1
        floor, started = ledger.applied.value, time.monotonic()
        try:
            prompt = reader.get(brand, GREETING)
        except Exception as exc:
            problems.append(f"raised {exc!r}")
            continue
        seen[prompt.source] = seen.get(prompt.source, 0) + 1
        expected_brand = "acme" if brand == "acme" else "default"
        if prompt.brand != expected_brand or prompt.source == "fallback":
            problems.append(f"{brand}: {prompt.brand} from {prompt.source}")
        elif prompt.source in ("redis", "db") and prompt.version < floor:
            problems.append(f"{brand}: v{prompt.version} from {prompt.source} after v{floor}")
        elif prompt.source == "memory" and prompt.version < ledger.required_for_memory(started):
            problems.append(f"{brand}: stale v{prompt.version} from memory")
    return {"seen": seen, "problems": problems[:20], "reads": n}


def process_reader(db_url: str, redis_url: str, memory: bool, ledger: Ledger,
                   results: Any) -> None:
    reader = PromptReader(db_url=db_url, redis_url=redis_url, memory=memory,
                          redis_timeout=0.5, db_timeout=2.0)
    try:
        results.put(read_loop(reader, ledger))
    finally:
        reader.close()


def apply_commit(publisher: Publisher, version: int) -> None:
    publisher.apply({"acme/greeting": (f"acme v{version}", version),
                     "default/greeting": (f"default v{version}", version)})


@pytest.mark.timeout(180)
def test_readers_race_fifty_commits(db_url: str, redis_url: str) -> None:
    publisher = Publisher(db_url, redis_url)
    apply_commit(publisher, 1)
    ledger = Ledger()
    results = FORK.Queue()
    # Several processes reading through Redis and the database: the OS preempts them between
    # their read and their write-back, which is the window of the cache-aside race.
    processes = [FORK.Process(target=process_reader,
                              args=(db_url, redis_url, memory, ledger, results))
                 for memory in (True, False, False, False)]
    for proc in processes:
        proc.start()
    shared = PromptReader(db_url=db_url, redis_url=redis_url, redis_timeout=0.5, db_timeout=2.0)
    direct = PromptReader(db_url=db_url, redis_url=redis_url, memory=False,
                          redis_timeout=0.5, db_timeout=2.0)
    wait_subscribed(shared)
    outcomes: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda r=r: outcomes.append(read_loop(r, ledger)))
               for r in (shared, shared, direct, direct, direct)]
    for thread in threads:
        thread.start()
    try:
        for version in range(2, COMMITS + 2):
            apply_commit(publisher, version)
            ledger.publish(version)
            time.sleep(0.005)
    finally:
        ledger.stop.set()
        for thread in threads:
            thread.join(30)
        outcomes += [results.get(timeout=60) for _ in processes]
        for proc in processes:
            proc.join(30)
        shared.close()
        direct.close()
        publisher.close()

    assert len(outcomes) == 9
    assert [o["problems"] for o in outcomes] == [[]] * 9
    backend_reads = sum(o["seen"].get("redis", 0) + o["seen"].get("db", 0) for o in outcomes)
    assert backend_reads > COMMITS  # the property was exercised, not only the memory tier
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
def test_reader_created_before_fork_works_in_the_child(publisher: Publisher, db_url: str,
                                                       redis_url: str, make_reader) -> None:
    publisher.apply({"acme/greeting": ("v1 {{ 40 + 2 }}", 1)})
    reader = make_reader(db_url, redis_url)
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
    # The parent's reader kept its own connections and subscription through the fork.
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

    async def main() -> tuple[Any, int]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        prompt = await reader.aget("acme", GREETING)  # waits out the hung Redis's timeout
        ticks_during = ticks
        done.set()
        await task
        return prompt, ticks_during

    redis_process.pause()
    try:
        prompt, ticks = asyncio.run(main())
    finally:
        redis_process.resume()
    assert (prompt.source, prompt.version) == ("db", 1)
    assert ticks > 0  # the loop kept running while the reader waited on Redis
    publisher.close()
