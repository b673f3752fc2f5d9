"""Readers racing a writer: every answer is checked against what was applied before the read.

Shared by the reader's own race test (a test-side writer) and the integration test that races
the real daemon.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

from promptsync import PromptReader, PromptType
from tests.reader.conftest import wait_subscribed

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


class ReaderSwarm:
    """Reader processes (memory tier on in the first) and threads sharing two readers."""

    def __init__(self, db_url: str, redis_url: str, processes: tuple[bool, ...] = (True, False),
                 threads: int = 3) -> None:
        self.ledger = Ledger()
        self._results = FORK.Queue()
        self._processes = [FORK.Process(target=process_reader,
                                        args=(db_url, redis_url, memory, self.ledger,
                                              self._results))
                           for memory in processes]
        self._shared = PromptReader(db_url=db_url, redis_url=redis_url, redis_timeout=0.5,
                                    db_timeout=2.0)
        self._direct = PromptReader(db_url=db_url, redis_url=redis_url, memory=False,
                                    redis_timeout=0.5, db_timeout=2.0)
        readers = [self._shared if i < 2 else self._direct for i in range(threads)]
        self.outcomes: list[dict[str, Any]] = []
        self._threads = [threading.Thread(target=lambda r=r: self.outcomes.append(
            read_loop(r, self.ledger))) for r in readers]

    def start(self) -> ReaderSwarm:
        for proc in self._processes:
            proc.start()
        wait_subscribed(self._shared)
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[dict[str, Any]]:
        """Stop every reader; each one's outcome (reads by source, problems found)."""
        self.ledger.stop.set()
        for thread in self._threads:
            thread.join(30)
        self.outcomes += [self._results.get(timeout=60) for _ in self._processes]
        for proc in self._processes:
            proc.join(30)
        self._shared.close()
        self._direct.close()
        return self.outcomes


def assert_no_stale_reads(outcomes: list[dict[str, Any]], readers: int, commits: int) -> None:
    assert len(outcomes) == readers
    assert [o["problems"] for o in outcomes] == [[]] * readers
    backend_reads = sum(o["seen"].get("redis", 0) + o["seen"].get("db", 0) for o in outcomes)
    assert backend_reads > commits  # the property was exercised, not only the memory tier
