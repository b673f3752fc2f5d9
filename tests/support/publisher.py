"""A test-side writer that plays the daemon's part of the cache protocol.

`Publisher.apply` does what promptsync.cache.protocol says the daemon does after a commit: rows and
generation in one database transaction, then the daemon's own `Invalidator.publish` (raise
promptsync:gen, delete the changed keys, publish the event), so the reader is tested against
the protocol as the daemon speaks it, not a copy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.engine import Engine

from promptsync.cache.invalidate import Invalidator
from promptsync.locale import language
from promptsync.model import PromptId
from promptsync.store.models import Base, PromptRow, SyncStateRow


class Publisher:
    """Writes prompts the way the daemon does; one `apply` is one applied commit.

    Set `redis_url` to None to play a daemon that cannot reach Redis (rows only).
    """

    def __init__(self, db_url: str, redis_url: str | None) -> None:
        self.engine: Engine = create_engine(db_url)
        Base.metadata.create_all(self.engine)
        self.redis_url = redis_url
        self._invalidator: Invalidator | None = None
        self._invalidator_url = redis_url
        self.commits = 0
        with self.engine.begin() as conn:
            conn.execute(insert(SyncStateRow).values(id=1, generation=0))

    def apply(self, changes: dict[str, tuple[str, int] | None],
              variables: dict[str, Any] | None = None, base_language: str = "",
              variants: list[dict[str, Any]] | None = None) -> int:
        """Upsert (template, version) per id (`acme/greeting`, `acme/greeting.de`), delete ids
        mapped to None; the new generation. Base texts are written in `base_language`; every
        upserted text gets `variants` ([{name, weight, template, description}])."""
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
                                                     PromptRow.type == pid.type.value,
                                                     PromptRow.locale == pid.locale))
                if change is not None:
                    conn.execute(insert(PromptRow).values(
                        brand=pid.brand, type=pid.type.value, locale=pid.locale,
                        language=language(pid.locale) if pid.locale else base_language,
                        version=change[1],
                        template=change[0], variables=variables or {},
                        variants=variants or None, commit_sha=commit,
                        description="", author="", committed_at=now, synced_at=now))
        if self.redis_url:
            self.invalidate(generation, commit, list(changes))
        return generation

    def invalidate(self, generation: int, commit: str, ids: list[str]) -> None:
        """The daemon's publish step for an applied commit."""
        if self._invalidator is None or self._invalidator_url != self.redis_url:
            if self._invalidator is not None:
                self._invalidator.close()
            self._invalidator = Invalidator(self.redis_url or "")
            self._invalidator_url = self.redis_url
        self._invalidator.publish(commit, generation, [PromptId.parse(i) for i in ids])

    def close(self) -> None:
        self.engine.dispose()
        if self._invalidator is not None:
            self._invalidator.close()
