"""Every error of a cycle, classified: which outside system, what cause, logged once, counted.

The daemon retries every error with backoff and exits only on a signal or a usage error, so
an outage must not write one warning per retry: a fault is logged when it starts or its cause
changes, once more when it clears, and counted every time in `promptsync_errors_total`.
"""

from __future__ import annotations

import errno
import logging
import time
from dataclasses import dataclass

import redis
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from promptsync.daemon.metrics import Metrics
from promptsync.errors import GitError, UnreachableError
from promptsync.store.engine import first_line

log = logging.getLogger(__name__)

# Redis answers a refused write with an error whose first word names the condition; inside a
# script (our generation rule) Redis 6 wraps it in a generic error, so the words are searched.
REDIS_CAUSES = (
    ("oom", (redis.exceptions.OutOfMemoryError,), ("OOM ",),
     "Redis is out of memory (maxmemory) and refuses writes"),
    ("readonly", (redis.exceptions.ReadOnlyError,), ("READONLY",),
     "Redis is a read-only replica (a failover?) and refuses writes"),
    ("noperm", (redis.exceptions.NoPermissionError,),
     ("NOPERM", "no permissions", "can't run this command"),
     "the Redis user lacks the rights to write"),
    ("auth", (redis.exceptions.AuthenticationError,), ("WRONGPASS", "NOAUTH"),
     "Redis refused the credentials"),
    ("loading", (redis.exceptions.BusyLoadingError,), ("LOADING",),
     "Redis is loading its data set"),
)


@dataclass(frozen=True)
class Fault:
    """`system`: redis | database | git | os | bug; `cause`: a short stable label."""

    system: str
    cause: str
    detail: str

    def __str__(self) -> str:
        return f"{self.system}: {self.detail}"


def classify(exc: BaseException) -> Fault:
    """The fault `exc` stands for; anything unforeseen is a bug (still retried)."""
    if isinstance(exc, redis.RedisError):
        return _redis_fault(exc)
    if isinstance(exc, SQLAlchemyError):
        return Fault("database", _database_cause(exc), first_line(exc))
    if isinstance(exc, GitError | UnreachableError):
        return Fault("git", "unreachable", str(exc))
    if isinstance(exc, OSError):
        name = errno.errorcode.get(exc.errno or -1, type(exc).__name__)
        return Fault("os", name, str(exc))
    return Fault("bug", type(exc).__name__, f"{type(exc).__name__}: {exc}")


def _redis_fault(exc: redis.RedisError) -> Fault:
    text = str(exc)
    for cause, classes, words, meaning in REDIS_CAUSES:
        if isinstance(exc, classes) or any(word in text for word in words):
            return Fault("redis", cause, f"{meaning} ({text.splitlines()[0] if text else cause})")
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return Fault("redis", "unreachable", text or type(exc).__name__)
    return Fault("redis", "error", f"{type(exc).__name__}: {text}")


def _database_cause(exc: SQLAlchemyError) -> str:
    if isinstance(exc, OperationalError | InterfaceError):
        return "unreachable"  # the connection, not the statement: nothing could be recorded
    return "refused" if isinstance(exc, DBAPIError) else "error"


class FaultLog:
    """Per outside system, the fault it has now: logged when it starts or changes, counted
    every time, and logged once more when the system works again."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.current: dict[str, tuple[Fault, float]] = {}

    def record(self, fault: Fault, *, traceback: BaseException | None = None) -> None:
        self.metrics.errors.labels(fault.system, fault.cause).inc()
        known = self.current.get(fault.system)
        if known is not None and known[0].cause == fault.cause:
            log.debug("still failing: %s", fault)
            return
        self.current[fault.system] = (fault, time.monotonic())
        log.warning("%s; the daemon retries with backoff (logged again when the cause changes "
                    "or clears)",
                    fault, exc_info=traceback)

    def clear(self, *systems: str) -> None:
        for system in systems:
            known = self.current.pop(system, None)
            if known is not None:
                log.info("%s works again after %.1f s (was: %s)", system,
                            time.monotonic() - known[1], known[0].cause)
