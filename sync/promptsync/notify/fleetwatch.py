"""After each publish, the daemon waits out the grace and looks at the fleet: readers still
behind (or silent) then are told as one `fleet-stale` event for that generation, whichever
daemon looks first (the outbox's dedupe key)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from promptsync.errors import UnreachableError
from promptsync.fleet.source import FleetSource
from promptsync.notify.events import fleet_stale
from promptsync.store import outbox

log = logging.getLogger(__name__)
IDLE = 5.0  # seconds between looks while no publish waits for its grace
MARGIN = 0.2  # past the grace, so a reader exactly at it counts as behind


class FleetWatch:
    def __init__(self, redis_url: str, engine: Engine, grace: float) -> None:
        self.engine = engine
        self.source = FleetSource(redis_url, engine, grace)
        self._done: int | None = None  # the generation looked at last
        self._down = False

    def check(self) -> float:
        """Look when a publish's grace is over; seconds until the next look is due."""
        try:
            fleet = self.source.look()
        except UnreachableError as exc:
            if not self._down:
                log.warning("fleet watch: %s; looking again later", exc)
            self._down = True
            return IDLE
        self._down = False
        published = fleet.published
        if published.commit is None or published.generation == self._done:
            return IDLE
        if published.at_ms is None:
            return IDLE  # Redis has not been told of this generation yet
        due = (published.at_ms - fleet.now_ms) / 1000 + fleet.grace + MARGIN
        if due > 0:
            return due
        self._done = published.generation
        if fleet.stale and outbox.add_once(self.engine, fleet_stale(fleet)) is not None:
            log.warning("fleet: %s", fleet.summary())
        return IDLE

    def close(self) -> None:
        self.source.close()
