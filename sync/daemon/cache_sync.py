"""Keep Redis at the database's generation: after every apply, and on every cycle as a repair.

The database is the truth. Whatever Redis missed (it was down, the daemon died between the
database commit and the invalidation, an event was lost) is found by comparing `promptsync:gen`
with `sync_state.generation`, and the event then names every prompt published since Redis's
generation, so the readers' in-process tiers drop them too.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from promptsync.cache.invalidate import REDIS_ERRORS, Invalidator
from promptsync.daemon.faults import FaultLog, classify
from promptsync.daemon.metrics import Metrics
from promptsync.store.state import PublishedState, changed_since

log = logging.getLogger(__name__)


class CacheSync:
    """Publishes the database's state to one Redis (or does nothing without one)."""

    def __init__(self, invalidator: Invalidator | None, engine: Engine, metrics: Metrics,
                 faults: FaultLog) -> None:
        self.invalidator, self.engine, self.metrics = invalidator, engine, metrics
        self.faults = faults

    def heal(self, state: PublishedState) -> bool:
        """Bring Redis up to `state` if it lags; False while Redis cannot take it (down, out of
        memory, read-only, no permission: classified, logged once, retried by the caller)."""
        if self.invalidator is None or state.commit is None:
            return True
        try:
            self._heal(self.invalidator, state)
        except REDIS_ERRORS as exc:
            self.metrics.invalidation_failures.inc()
            self.faults.record(classify(exc))
            return False
        self.faults.clear("redis")
        return True

    def _heal(self, invalidator: Invalidator, state: PublishedState) -> None:
        assert state.commit is not None
        seen = invalidator.generation()
        if seen is not None and seen >= state.generation:
            return
        stale = changed_since(self.engine, -1 if seen is None else seen)
        invalidator.publish(state.commit, state.generation, stale)
        if seen is None or seen < state.generation - 1:  # said once it worked, not per retry
            log.info("redis was at generation %s, database at %s: repaired %d keys",
                     seen, state.generation, len(stale))
