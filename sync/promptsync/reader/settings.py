"""Reader settings: explicit argument, then `PROMPTSYNC_*` environment variable, then default.

The URLs resolve as every other part resolves them (`promptsync.settings`); the timeouts, breaker
cooldown, memory tier and render budget are the reader's own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from promptsync.errors import UsageError
from promptsync.sandbox import DEFAULT_RENDER_SECONDS
from promptsync.settings import resolve_as, resolve_db_url, resolve_redis_url

REDIS_TIMEOUT_ENV = "PROMPTSYNC_REDIS_TIMEOUT"
DB_TIMEOUT_ENV = "PROMPTSYNC_DB_TIMEOUT"
DEFAULT_REDIS_TIMEOUT = 0.05
DEFAULT_DB_TIMEOUT = 0.5
DEFAULT_COOLDOWN = 1.0


@dataclass(frozen=True)
class ReaderSettings:
    db_url: str
    redis_url: str | None
    redis_timeout: float = DEFAULT_REDIS_TIMEOUT
    db_timeout: float = DEFAULT_DB_TIMEOUT
    cooldown: float = DEFAULT_COOLDOWN
    memory: bool = True
    render_seconds: float = DEFAULT_RENDER_SECONDS


def resolve(db_url: str | None = None, redis_url: str | None = None, *,
            redis_timeout: float | None = None, db_timeout: float | None = None,
            cooldown: float = DEFAULT_COOLDOWN, memory: bool = True,
            render_seconds: float = DEFAULT_RENDER_SECONDS,
            env: Mapping[str, str] | None = None) -> ReaderSettings:
    env = os.environ if env is None else env
    return ReaderSettings(
        db_url=resolve_db_url(db_url, env),
        redis_url=resolve_redis_url(redis_url, env),
        redis_timeout=_seconds(redis_timeout, env, REDIS_TIMEOUT_ENV, DEFAULT_REDIS_TIMEOUT),
        db_timeout=_seconds(db_timeout, env, DB_TIMEOUT_ENV, DEFAULT_DB_TIMEOUT),
        cooldown=cooldown, memory=memory, render_seconds=render_seconds,
    )


def _seconds(given: float | None, env: Mapping[str, str], name: str, default: float) -> float:
    value = float(resolve_as(given, name, default, float, env, expected="a number of seconds"))
    if value <= 0:
        raise UsageError(f"timeout must be positive, got {value}")
    return value
