"""When to try a commit the database refused again: per commit, capped exponential.

A refusal (a value PostgreSQL cannot store, a constraint, a trigger) is a property of the commit,
not of the moment: retrying it once a second forever only fills the log. The first retry comes
after 1 s, then 2, 4, ... up to RETRY_CAP; another commit on the branch is tried at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from promptsync.lru import LRU

RETRY_FIRST = 1.0
RETRY_CAP = 300.0
REMEMBERED = 64  # commits; a branch only ever has one head


@dataclass(frozen=True)
class Refusal:
    reason: str
    attempts: int
    next_at: float


class RetrySchedule:
    """The refusals of recent commits, and when each may be tried again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._refusals: LRU[str, Refusal] = LRU(REMEMBERED)

    def waiting(self, commit: str) -> Refusal | None:
        """The refusal of `commit` while its next attempt is not due yet."""
        refusal = self._refusals.get(commit)
        if refusal is None or self.clock() >= refusal.next_at:
            return None
        return refusal

    def refused(self, commit: str, reason: str) -> Refusal:
        """Record one more refusal; the next attempt comes twice as late (capped)."""
        known = self._refusals.get(commit)
        attempts = 1 if known is None else known.attempts + 1
        delay = min(RETRY_CAP, RETRY_FIRST * 2 ** (attempts - 1))
        refusal = Refusal(reason, attempts, self.clock() + delay)
        self._refusals.put(commit, refusal)
        return refusal

    def retry_in(self, refusal: Refusal) -> float:
        return max(0.0, refusal.next_at - self.clock())
