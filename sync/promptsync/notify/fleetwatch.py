"""After each publish, the daemon waits out the grace and looks at the fleet: readers still
behind (or silent) then are told as one `fleet-stale` event for that generation, whichever
daemon looks first (the outbox's dedupe key)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from promptsync.fleet.view import Published, read
from promptsync.notify.events import fleet_stale
from promptsync.reader.redis_tier import REDIS_ERRORS, connect
from promptsync.settings import hide_password, redact
from promptsync.store import outbox
from promptsync.store.state import read_state

log = logging.getLogger(__name__)
IDLE = 5.0  # seconds between looks while no publish waits for its grace
MARGIN = 0.2  # past the grace, so a reader exactly at it counts as behind


class FleetWatch:
    def __init__(self, redis_url: str, engine: Engine, grace: float) -> None:
        self.redis_url, self.engine, self.grace = redis_url, engine, grace
        self._client = connect(redis_url, 2.0)
        self._done: int | None = None  # the generation looked at last
        self._down = False

    def check(self) -> float:
        """Look when a publish's grace is over; seconds until the next look is due."""
        state = read_state(self.engine)
        if state.commit is None or state.generation == self._done:
            return IDLE
        try:
            fleet = read(self._client, Published(state.generation, state.commit), self.grace)
        except REDIS_ERRORS as exc:
            if not self._down:
                log.warning("fleet watch: Redis at %s unreachable (%s); looking again later",
                            hide_password(self.redis_url), redact(str(exc)))
            self._down = True
            return IDLE
        self._down = False
        at = fleet.published.at_ms
        if at is None:
            return IDLE  # Redis has not been told of this generation yet
        due = (at - fleet.now_ms) / 1000 + self.grace + MARGIN
        if due > 0:
            return due
        self._done = state.generation
        if fleet.stale and outbox.add_once(self.engine, fleet_stale(fleet)) is not None:
            log.warning("fleet: %s", fleet.summary())
        return IDLE

    def close(self) -> None:
        self._client.close()
