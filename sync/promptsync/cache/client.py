"""The one way to open Redis: a client that gives up after its timeout and never retries by
itself (the caller's breaker or loop decides when to try again), and what Redis failures are.
Light on purpose: `promptsync fleet` imports it without the reader or SQLAlchemy."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

# What a broken, slow, restarting or refusing server raises (down, out of memory, read-only,
# no permission); anything else is a bug.
REDIS_ERRORS: tuple[type[Exception], ...] = (redis.RedisError, OSError)


def connect(url: str, timeout: float, *, max_connections: int | None = None,
            name: str | None = None) -> redis.Redis:
    """A client that gives up after `timeout` seconds and never retries by itself: a retry
    here would multiply the cost of a dead server by the retry count. `name` is given to each
    of its connections (CLIENT SETNAME), so the server can tell whose they are."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0), max_connections=max_connections,
        health_check_interval=0, client_name=name,
    )
