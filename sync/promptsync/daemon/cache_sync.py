"""Keep Redis at the database's generation: after every apply, and on every cycle as a repair.

The database is the truth. Whatever Redis missed (it was down, the daemon died between the
database commit and the invalidation, or between raising the generation and publishing the
event) is found by comparing `promptsync:gen` and `promptsync:published` with
`sync_state.generation`, and the event then names every prompt published since the lower of
the two, so the readers' in-process tiers drop them too.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from promptsync.cache.invalidate import REDIS_ERRORS, Invalidator
from promptsync.daemon.checkpoint import checkpoint
from promptsync.daemon.faults import FaultLog, classify
from promptsync.daemon.metrics import Metrics
from promptsync.store.state import PublishedState, changed_since, read_state

log = logging.getLogger(__name__)


class CacheSync:
    """Publishes the database's state to one Redis (or does nothing without one)."""

    def __init__(self, invalidator: Invalidator | None, engine: Engine, metrics: Metrics,
                 faults: FaultLog) -> None:
        self.invalidator, self.engine, self.metrics = invalidator, engine, metrics
        self.faults = faults

    def heal(self, state: PublishedState) -> bool:
        """Bring Redis to `state`: publish what it lags, rebuild it when it is ahead. False
        while Redis cannot take it (down, out of memory, read-only, no permission: classified,
        logged once, retried by the caller)."""
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
        seen, published = invalidator.generations()
        if seen is not None and seen > state.generation:
            # Read again, after Redis: another daemon may have applied and raised since `state`.
            state = read_state(self.engine)
            if seen > state.generation:
                self._rebuild(invalidator, state, seen)
                return
        assert state.commit is not None
        since = _announced(seen, published, state.generation)
        if since >= state.generation:
            return
        stale = changed_since(self.engine, since)
        invalidator.publish(state.commit, state.generation, stale, checkpoint)
        if since < state.generation - 1:  # said once it worked, not per retry
            log.info("%s", _caught_up(seen, published, state.generation, len(stale)))

    def _rebuild(self, invalidator: Invalidator, state: PublishedState, seen: int) -> None:
        """Redis is ahead of the database: whatever it holds came from another history."""
        if state.commit is None:
            return  # an empty database publishes nothing; its first commit will
        known = changed_since(self.engine, -1)
        if invalidator.rebuild(state.commit, state.generation, seen, known):
            log.warning("redis was at generation %d, ahead of the database's %d (a restored "
                        "database, or another one?): dropped every cached prompt and reset the "
                        "generation to the database's", seen, state.generation)


def _announced(seen: int | None, published: int | None, generation: int) -> int:
    """The generation up to which readers have been told everything: the lower of Redis's
    generation and the last published event (-1: nothing is known, tell them everything).
    Without a `published` key beside a generation (a daemon from before it existed) the last
    commit is announced again: cheap, and harmless when it was not lost."""
    if seen is None:
        return -1
    if published is None:
        return min(seen, generation - 1)
    return min(seen, published)


def _caught_up(seen: int | None, published: int | None, generation: int, count: int) -> str:
    """The log line after Redis was brought up to the database, in the words that fit what
    Redis held: nothing (new or emptied), or a generation with or without its event."""
    if seen is None:
        return (f"redis held no generation (a new or emptied Redis); the database is at "
                f"generation {generation}: published every prompt ({count})")
    if published is None:
        announced = f"redis was at generation {seen}, with no record of its last event"
    else:
        announced = f"redis was at generation {seen}, its last event announced {published}"
    return (f"{announced}; the database is at generation {generation}: published again the "
            f"{count} prompts changed since")
