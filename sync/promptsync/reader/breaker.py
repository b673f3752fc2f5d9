"""A circuit breaker per backend: a dead or hung server costs one timeout, not one per call."""

from __future__ import annotations

import threading
import time


class CircuitBreaker:
    """Closed: calls go through. Open: calls are skipped until `cooldown` has passed.

    After the cooldown exactly one caller probes the backend (half-open); its success closes
    the breaker, its failure opens it for another cooldown. Everyone else keeps skipping while
    the probe is in flight, so a hung server never holds more than one caller at a time.
    """

    def __init__(self, name: str, cooldown: float = 1.0) -> None:
        self.name = name
        self.cooldown = cooldown
        self._lock = threading.Lock()
        self._open_until = 0.0  # 0.0: closed
        self._probing = False

    @property
    def is_closed(self) -> bool:
        return self._open_until == 0.0

    def allow(self) -> bool:
        """May the caller use the backend now? (True at most once per cooldown while open.)"""
        if self._open_until == 0.0:
            return True
        with self._lock:
            if self._open_until == 0.0:
                return True
            if self._probing or time.monotonic() < self._open_until:
                return False
            self._probing = True
            return True

    def succeeded(self) -> None:
        if self._open_until != 0.0 or self._probing:
            with self._lock:
                self._open_until = 0.0
                self._probing = False

    def failed(self) -> bool:
        """Open (again); True when this call opened a closed breaker."""
        with self._lock:
            was_closed = self._open_until == 0.0
            self._open_until = time.monotonic() + self.cooldown
            self._probing = False
            return was_closed

    def release(self) -> None:
        """End a probe that proved nothing either way; the next caller may probe again."""
        self._probing = False

    def reset(self) -> None:
        """A fresh breaker state, e.g. in a forked child whose lock may be held."""
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._probing = False
