"""A test-side writer that plays the daemon's part of the cache protocol, and reader fixtures.

`Publisher.apply` does what sync.cache.keys says the daemon does after a commit: rows and
generation in one database transaction, then raise promptsync:gen, delete the changed keys
(every brand's key of a type for a change to brand default), then publish the event.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.engine import Engine

from sync.cache.keys import EVENTS_CHANNEL, GENERATION_KEY, prompt_key, type_pattern
from sync.model import DEFAULT_BRAND, PromptId
from sync.reader import PromptReader
from sync.store.models import Base, PromptRow, SyncStateRow

GREETING_VARS = {"user_name": {"type": "string", "required": False, "default": "there",
                               "description": ""},
                 "brand_name": {"type": "string", "required": True, "default": None,
                                "description": ""}}


class Publisher:
    """Writes prompts the way the daemon does; one `apply` is one applied commit."""

    def __init__(self, db_url: str, redis_url: str | None) -> None:
        self.engine: Engine = create_engine(db_url)
        Base.metadata.create_all(self.engine)
        self.redis_url = redis_url
        self._client: redis.Redis | None = None
        self._client_url = redis_url
        self.commits = 0
        with self.engine.begin() as conn:
            conn.execute(insert(SyncStateRow).values(id=1, generation=0))

    def apply(self, changes: dict[str, tuple[str, int] | None],
              variables: dict[str, Any] | None = None) -> int:
        """Upsert (template, version) per id, delete ids mapped to None; the new generation."""
        self.commits += 1
        commit = f"{self.commits:040x}"
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(update(SyncStateRow).where(SyncStateRow.id == 1).values(
                generation=SyncStateRow.generation + 1, commit_sha=commit, updated_at=now))
            generation = int(conn.execute(
                select(SyncStateRow.generation).where(SyncStateRow.id == 1)).scalar_one())
            for text_id, change in changes.items():
                pid = PromptId.parse(text_id)
                conn.execute(delete(PromptRow).where(PromptRow.brand == pid.brand,
                                                     PromptRow.type == pid.type.value))
                if change is not None:
                    conn.execute(insert(PromptRow).values(
                        brand=pid.brand, type=pid.type.value, version=change[1],
                        template=change[0], variables=variables or {}, commit_sha=commit,
                        description="", author="", committed_at=now, synced_at=now))
        if self.redis_url:
            self.invalidate(generation, commit, list(changes))
        return generation

    def invalidate(self, generation: int, commit: str, ids: list[str]) -> None:
        if self._client is None or self._client_url != self.redis_url:
            self._client = redis.Redis.from_url(self.redis_url or "")
            self._client_url = self.redis_url
        client = self._client
        keys = [prompt_key(PromptId.parse(i).brand, PromptId.parse(i).type) for i in ids]
        for text_id in ids:
            pid = PromptId.parse(text_id)
            if pid.brand == DEFAULT_BRAND:
                keys += client.scan_iter(match=type_pattern(pid.type))
        # Generations only rise, so a plain SET is safe with one writer; then the deletes,
        # in the same round trip, and the event.
        pipe = client.pipeline(transaction=True)
        pipe.set(GENERATION_KEY, generation)
        pipe.delete(*keys)
        pipe.publish(EVENTS_CHANNEL, json.dumps(
            {"commit": commit, "generation": generation, "changed": ids}))
        pipe.execute()

    def close(self) -> None:
        self.engine.dispose()
        if self._client is not None:
            self._client.close()


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
