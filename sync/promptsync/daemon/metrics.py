"""Prometheus metrics of the daemon and what /healthz answers (served by metrics_server.py).

Each Metrics has its own registry, so several daemons (or tests) in one process never collide.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60, 300)
FAILED_CYCLES = 3  # cycles in a row that reach neither git nor the database: unhealthy
MIN_STALE_AFTER = 10.0


class Metrics:
    """What the daemon reports; `healthy()` is what /healthz answers."""

    def __init__(self, stale_after: float = MIN_STALE_AFTER) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.runs = Counter("promptsync_sync_runs", "Sync runs by result", ["result"], registry=r)
        self.reconcile = Histogram("promptsync_reconcile_duration_seconds",
                                   "Duration of one sync cycle", registry=r)
        self.merge_to_live = Histogram("promptsync_merge_to_live_seconds",
                                       "Commit time to database and cache updated",
                                       buckets=LATENCY_BUCKETS, registry=r)
        self.git_requests = Counter("promptsync_git_requests", "Git requests by operation",
                                    ["op"], registry=r)
        self.invalidation_failures = Counter("promptsync_invalidation_failures",
                                             "Failed Redis invalidations", registry=r)
        self.errors = Counter("promptsync_errors", "Errors in sync cycles, by outside system "
                              "(redis, database, git, os, bug) and cause", ["system", "cause"],
                              registry=r)
        self.generation = Gauge("promptsync_published_generation",
                                "Generation of the published commit", registry=r)
        since = Gauge("promptsync_seconds_since_last_good_sync",
                      "Seconds since the database last matched the branch", registry=r)
        since.set_function(self.seconds_since_good)
        self.stale_after = stale_after
        self._last_good: float | None = None
        self._last_working: float | None = None
        self._running_since: float | None = None
        self._failed_in_a_row = 0

    def cycle_started(self) -> None:
        self._running_since = time.monotonic()

    def cycle_done(self, *, working: bool, good: bool) -> None:
        """`working`: the cycle reached git and the database and decided (a rejected head, a
        commit the database refused included); `good`: the database holds the branch's commit."""
        now = time.monotonic()
        self._running_since = None
        if working:
            self._last_working = now
            self._failed_in_a_row = 0
        else:
            self._failed_in_a_row += 1
        if good:
            self._last_good = now

    def seconds_since_good(self) -> float:
        return -1.0 if self._last_good is None else time.monotonic() - self._last_good

    def healthy(self) -> bool:
        """The loop runs and reaches its servers: not before a first cycle worked, nor after
        FAILED_CYCLES cycles in a row did not (git or the database unreachable, a bug), nor when
        nothing worked for `stale_after` seconds (a cycle hanging on a server). A rejected head
        is healthy: restarting the daemon would not fix the commit, the alert on
        seconds-since-good-sync is for that."""
        last = self._last_working
        if last is None or self._failed_in_a_row >= FAILED_CYCLES:
            return False
        running = self._running_since
        since = running if running is not None and running > last else last
        return time.monotonic() - since < self.stale_after


def stale_after(interval: float) -> float:
    """How long /healthz waits for a working cycle: three polls, and at least 10 s."""
    return max(3 * interval, MIN_STALE_AFTER)
