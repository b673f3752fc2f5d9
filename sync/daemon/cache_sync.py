"""Keep Redis at the database's generation: after every apply, and on every cycle as a repair.

The database is the truth. Whatever Redis missed (it was down, the daemon died between the
database commit and the invalidation, an event was lost) is found by comparing `promptsync:gen`
with `sync_state.generation`, and the event then names every prompt published since Redis's
generation, so the readers' in-process tiers drop them too.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from promptsync.cache.invalidate import Invalidator, RedisDown
from promptsync.daemon.metrics import Metrics
from promptsync.store.state import PublishedState, changed_since

log = logging.getLogger(__name__)


class CacheSync:
    """Publishes the database's state to one Redis (or does nothing without one)."""

    def __init__(self, invalidator: Invalidator | None, engine: Engine, metrics: Metrics) -> None:
        self.invalidator, self.engine, self.metrics = invalidator, engine, metrics

    def heal(self, state: PublishedState) -> bool:
        """Bring Redis up to `state` if it lags; False while Redis is down (retry later)."""
        if self.invalidator is None or state.commit is None:
            return True
        try:
            seen = self.invalidator.generation()
            if seen is not None and seen >= state.generation:
                return True
            stale = changed_since(self.engine, -1 if seen is None else seen)
            if seen is None or seen < state.generation - 1:
                log.info("redis is at generation %s, database at %s: repairing %d keys",
                         seen, state.generation, len(stale))
            self.invalidator.publish(state.commit, state.generation, stale)
            return True
        except RedisDown as exc:
            self.metrics.invalidation_failures.inc()
            log.warning("redis invalidation of generation %d failed (%s); will retry",
                        state.generation, exc)
            return False
