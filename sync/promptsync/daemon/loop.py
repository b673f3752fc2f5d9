"""The daemon: a loop with a stop event that runs sync cycles when woken or when a timer ends.

Local repository: woken by the ref watcher, with a poll every interval as a safety net. Remote:
fetched every interval seconds with jitter (so a fleet of daemons does not fetch in step). After a
failure (git, database or Redis unreachable) the next cycle comes after a capped exponential
backoff instead.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass

from promptsync.daemon.outcome import UNREACHABLE_STATUSES, Outcome
from promptsync.daemon.syncer import Syncer
from promptsync.daemon.watcher import RefWatcher, Waker
from promptsync.errors import UsageError
from promptsync.validate.validator import ValidationStopped

log = logging.getLogger(__name__)
JITTER = 0.2


@dataclass
class Backoff:
    """0.1 s, 0.2 s, 0.4 s ... capped; reset by a good cycle."""

    base: float = 0.1
    cap: float = 10.0
    failures: int = 0

    def next_delay(self) -> float:
        self.failures += 1
        return float(min(self.cap, self.base * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0


class Daemon:
    """Runs `syncer` until `stop` is set (or `max_cycles` ran); returns the number of cycles."""

    def __init__(self, syncer: Syncer, interval: float = 10.0,
                 stop: threading.Event | None = None) -> None:
        self.syncer = syncer
        self.interval = interval
        self.stop = stop or threading.Event()
        self.waker = Waker()
        self.backoff = Backoff(cap=max(interval, 1.0))
        self.last: Outcome | None = None
        self.cycles = 0

    def request_stop(self) -> None:
        self.stop.set()
        self.waker.wake()
        self.syncer.gate.stop()  # a first load in the process pool would run on for minutes

    def run(self, max_cycles: int | None = None) -> int:
        watcher = self._start_watcher()
        try:
            with self.syncer.source.kept():  # one open repository for all the cycles below
                while not self.stop.is_set() and self.cycles != max_cycles:
                    try:
                        self.last = self._cycle()
                    except ValidationStopped:
                        log.info("stopped during a validation: nothing of it was written")
                        break
                    self.cycles += 1
                    if self.stop.is_set() or self.cycles == max_cycles:
                        break
                    self.waker.wait(self._delay(self.last))
        finally:
            self.stop.set()
            if watcher is not None:
                watcher.join()
        return self.cycles

    def _cycle(self) -> Outcome:
        """One cycle; whatever it raises is retried, except a usage error (exit 2)."""
        try:
            return self.syncer.cycle()
        except (UsageError, ValidationStopped):
            raise
        except Exception as exc:
            return self.syncer.crashed(exc)

    def _start_watcher(self) -> RefWatcher | None:
        if self.syncer.source.remote:
            return None
        return RefWatcher(self.syncer.source.common_dir(), self.waker, self.stop).start()

    def _delay(self, outcome: Outcome) -> float:
        if outcome.status in UNREACHABLE_STATUSES or not outcome.cache_ok:
            delay = self.backoff.next_delay()
            log.debug("retrying in %.2f s", delay)
            return delay
        self.backoff.reset()
        interval = self.interval
        if self.syncer.source.remote:
            interval *= random.uniform(1 - JITTER, 1 + JITTER)
        if outcome.retry_in is not None:  # a refused commit is due before the next poll
            return min(interval, max(outcome.retry_in, 0.01))
        return interval
