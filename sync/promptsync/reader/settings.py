"""Reader settings: explicit argument, then `PROMPTSYNC_*` environment variable, then default.

The URLs resolve as every other part resolves them (`promptsync.settings`); the timeouts, breaker
cooldown, memory tier, render budget and the fleet report (service name, on or off, heartbeat)
are the reader's own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from promptsync.errors import UsageError
from promptsync.sandbox import DEFAULT_RENDER_SECONDS
from promptsync.settings import resolve as resolve_setting
from promptsync.settings import resolve_as, resolve_db_url, resolve_redis_url

REDIS_TIMEOUT_ENV = "PROMPTSYNC_REDIS_TIMEOUT"
DB_TIMEOUT_ENV = "PROMPTSYNC_DB_TIMEOUT"
DEFAULT_REDIS_TIMEOUT = 0.05
DEFAULT_DB_TIMEOUT = 0.5
DEFAULT_COOLDOWN = 1.0
SERVICE_ENV = "PROMPTSYNC_SERVICE"
FLEET_ENV = "PROMPTSYNC_FLEET"
HEARTBEAT_ENV = "PROMPTSYNC_FLEET_HEARTBEAT"
DEFAULT_HEARTBEAT = 2.0
_OFF = {"0", "off", "false", "no"}
_ON = {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class ReaderSettings:
    db_url: str
    redis_url: str | None
    redis_timeout: float = DEFAULT_REDIS_TIMEOUT
    db_timeout: float = DEFAULT_DB_TIMEOUT
    cooldown: float = DEFAULT_COOLDOWN
    memory: bool = True
    render_seconds: float = DEFAULT_RENDER_SECONDS
    service: str = "python"
    report: bool = True
    heartbeat: float = DEFAULT_HEARTBEAT


def resolve(db_url: str | None = None, redis_url: str | None = None, *,
            redis_timeout: float | None = None, db_timeout: float | None = None,
            cooldown: float = DEFAULT_COOLDOWN, memory: bool = True,
            render_seconds: float = DEFAULT_RENDER_SECONDS, service: str | None = None,
            report: bool | None = None,
            env: Mapping[str, str] | None = None) -> ReaderSettings:
    env = os.environ if env is None else env
    return ReaderSettings(
        db_url=resolve_db_url(db_url, env),
        redis_url=resolve_redis_url(redis_url, env),
        redis_timeout=_seconds(redis_timeout, env, REDIS_TIMEOUT_ENV, DEFAULT_REDIS_TIMEOUT),
        db_timeout=_seconds(db_timeout, env, DB_TIMEOUT_ENV, DEFAULT_DB_TIMEOUT),
        cooldown=cooldown, memory=memory, render_seconds=render_seconds,
        service=resolve_setting(service, SERVICE_ENV, None, env) or program_name(),
        report=resolve_as(report, FLEET_ENV, True, _switch, env, expected="on or off"),
        heartbeat=_seconds(None, env, HEARTBEAT_ENV, DEFAULT_HEARTBEAT, f"{HEARTBEAT_ENV}"),
    )


def program_name(argv: list[str] | None = None) -> str:
    """What a process is called when nobody named its service: `gunicorn`, `worker` (for
    `python worker.py`), the package of `python -m package`."""
    argv = sys.argv if argv is None else argv
    first = argv[0] if argv else ""
    if first in ("", "-c", "-"):
        return "python"
    path = Path(first)
    if path.name == "__main__.py":
        return path.parent.name or "python"
    return path.stem or "python"


def _switch(text: str) -> bool:
    if text.lower() in _OFF | _ON:
        return text.lower() in _ON
    raise ValueError(text)


def _seconds(given: float | None, env: Mapping[str, str], name: str, default: float,
             what: str = "timeout") -> float:
    value = float(resolve_as(given, name, default, float, env, expected="a number of seconds"))
    if value <= 0:
        raise UsageError(f"{what} must be positive, got {value}")
    return value
