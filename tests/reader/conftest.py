"""Reader fixtures: a Publisher playing the daemon (tests.support.publisher), readers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from promptsync.reader import PromptReader
from tests.support.publisher import Publisher
from tests.support.servers import PostgresServer

T = TypeVar("T")

GREETING_VARS = {"user_name": {"type": "string", "required": False, "default": "there",
                               "description": ""},
                 "brand_name": {"type": "string", "required": True, "default": None,
                                "description": ""}}


def wait_until(condition: Any, timeout: float = 5.0, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def wait_subscribed(reader: PromptReader, timeout: float = 5.0) -> None:
    assert wait_until(lambda: time.monotonic() < reader._memory.healthy_until, timeout), \
        "the reader never subscribed to promptsync:events"


@pytest.fixture
def publisher(db_url: str, redis_url: str) -> Iterator[Publisher]:
    pub = Publisher(db_url, redis_url)
    yield pub
    pub.close()


@pytest.fixture
def make_reader() -> Iterator[Any]:
    """Build readers with a short breaker cooldown; all are closed after the test."""
    readers: list[PromptReader] = []

    def make(db_url: str, redis_url: str | None, **kwargs: Any) -> PromptReader:
        kwargs.setdefault("breaker_cooldown", 0.3)
        reader = PromptReader(db_url=db_url, redis_url=redis_url, **kwargs)
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        reader.close()


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own: freezing or restarting the shared one would break every
    other test."""
    server = PostgresServer(None)
    try:
        yield server
    finally:
        server.close()


def loop_ticks_during(call: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    """Await `call()` on a fresh event loop beside a 10 ms ticker; how many ticks ran while it
    was awaited says whether the loop stayed free (0: something blocked it)."""
    async def main() -> tuple[T, int]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        before = ticks
        result = await call()
        during = ticks - before
        done.set()
        await task
        return result, during

    return asyncio.run(main())
