"""Reader fixtures: a Publisher playing the daemon (tests.support.publisher), readers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from promptsync.reader import PromptReader
from tests.support.publisher import Publisher

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
