"""The delivery worker: a thread that sends the outbox to every receiver, in order, at least once.

Woken by the daemon after each cycle, and every POLL seconds anyway (another daemon may have
written an event). A receiver that fails gets the same event again after a capped exponential
backoff (0.5 s, 1 s, 2 s ... at most 10 minutes) for two days; only then is the event given up
(`promptsync notifications` lists it) and the next one sent. What the worker knows lives in the
database (promptsync.store.outbox), so a daemon killed at any point carries on after its restart
with the same ids and the same schedule; a receiver may so get an event twice (at least once),
never lose one. With Redis it also watches the fleet after each publish (FleetWatch).
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from promptsync.notify.fleetwatch import FleetWatch
from promptsync.notify.sender import TIMEOUT, Receiver, send
from promptsync.store import outbox
from promptsync.store.engine import first_line

log = logging.getLogger(__name__)
POLL = 5.0
# Renewed before each attempt (at most TIMEOUT long); a daemon killed without releasing its
# receivers holds them this long, then another (or its restart) carries on.
LEASE = TIMEOUT + 5.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 600.0
GIVE_UP_AFTER = timedelta(days=2)
PRUNE_AFTER = timedelta(days=30)
STOP_WAIT = 5.0


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones, with a tenth of jitter so
    daemons that failed together do not retry together."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempts - 1, 30))
    return float(delay * random.uniform(0.9, 1.1))


class Notifier:
    """Delivers the outbox of `engine` to `receivers`, signing with `secret` when given."""

    def __init__(self, engine: Engine, receivers: Sequence[Receiver], secret: str | None, *,
                 watch: FleetWatch | None = None) -> None:
        self.engine, self.receivers, self.secret, self.watch = engine, receivers, secret, watch
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing: set[str] = set()
        self._registered = False
        self._pruned = 0.0

    def register(self) -> None:
        """Make the receivers known to the outbox (the daemon calls this after migrating, before
        its first commit: an event written before would not be theirs)."""
        outbox.register(self.engine, [(r.id, r.shown) for r in self.receivers])
        self._registered = True

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> Notifier:
        self._thread = threading.Thread(target=self._run, name="promptsync-notify", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float = STOP_WAIT) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(wait)
            if self._thread.is_alive():
                return  # mid-POST: its lease runs out by itself
        self.release()
        if self.watch is not None:
            self.watch.close()

    def release(self) -> None:
        """Let another daemon (or this one's restart) deliver at once."""
        if not self._registered:
            return
        try:
            for receiver in self.receivers:
                outbox.release(self.engine, receiver.id, self.owner)
        except SQLAlchemyError as exc:
            log.debug("notifications: leases not released (%s); they run out", first_line(exc))

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                delay = self.deliver()
                failures = 0
            except SQLAlchemyError as exc:
                failures += 1
                if failures == 1:
                    log.warning("notifications: the database is unreachable (%s); retrying",
                                first_line(exc))
                delay = backoff(failures)
            self._wake.wait(min(delay, POLL))
            self._wake.clear()

    def deliver(self) -> float:
        """One pass: every receiver gets what is due; seconds until something is due again."""
        if not self._registered:
            return POLL  # the daemon has not migrated yet
        due = [POLL]
        if self.watch is not None:
            due.append(self.watch.check())
        for receiver in self.receivers:
            if self._stop.is_set():
                break
            due.append(self._serve(receiver))
        self._prune()
        return max(min(due), 0.0)

    def _serve(self, receiver: Receiver) -> float:
        """Send `receiver` its events in order until one is not due or fails."""
        while not self._stop.is_set():
            if not outbox.claim(self.engine, receiver.id, self.owner, LEASE):
                return POLL  # another daemon delivers to it now
            pending = outbox.head(self.engine, receiver.id)
            if pending is None:
                return POLL
            wait = _seconds_until(pending.next_attempt_at)
            if wait > 0:
                return wait
            error = send(receiver, pending.event_id, pending.event, pending.body, self.secret)
            if error is None:
                outbox.finished(self.engine, receiver.id, pending, "delivered")
                self._recovered(receiver, pending)
                continue
            if datetime.now(UTC) - pending.created_at > GIVE_UP_AFTER:
                outbox.finished(self.engine, receiver.id, pending, "failed", error)
                log.error("notification %s (%s) to %s given up after %d attempts over %s: %s",
                          pending.event_id, pending.event, receiver.shown,
                          pending.attempts + 1, GIVE_UP_AFTER, error)
                continue
            delay = backoff(pending.attempts + 1)
            outbox.retry_later(self.engine, receiver.id, pending, error,
                               datetime.now(UTC) + timedelta(seconds=delay))
            self._failed(receiver, pending, error, delay)
            return delay
        return POLL

    def _failed(self, receiver: Receiver, pending: outbox.Pending, error: str,
                delay: float) -> None:
        if receiver.id in self._failing:
            log.debug("notification %s to %s failed again: %s", pending.event_id,
                      receiver.shown, error)
            return
        self._failing.add(receiver.id)
        log.warning("notification %s (%s) to %s failed: %s; retrying in %.1f s, then less and "
                    "less often (at most every %.0f s) for %s", pending.event_id, pending.event,
                    receiver.shown, error, delay, BACKOFF_CAP, GIVE_UP_AFTER)

    def _recovered(self, receiver: Receiver, pending: outbox.Pending) -> None:
        if receiver.id in self._failing:
            self._failing.discard(receiver.id)
            log.info("notification %s to %s delivered after %d attempts", pending.event_id,
                     receiver.shown, pending.attempts + 1)

    def _prune(self) -> None:
        """Once an hour: forget what every receiver is done with, after PRUNE_AFTER."""
        if time.monotonic() - self._pruned < 3600:
            return
        self._pruned = time.monotonic()
        outbox.prune(self.engine, datetime.now(UTC) - PRUNE_AFTER)


def _seconds_until(when: datetime | None) -> float:
    return 0.0 if when is None else (when - datetime.now(UTC)).total_seconds()
