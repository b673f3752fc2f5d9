"""Reader settings: explicit argument, then `PROMPTSYNC_*` environment variable, then default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.engine import make_url

from sync.errors import UsageError

DEFAULT_DB_URL = "sqlite:///promptsync.db"
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
    render_seconds: float = 1.0


def resolve(db_url: str | None = None, redis_url: str | None = None, *,
            redis_timeout: float | None = None, db_timeout: float | None = None,
            cooldown: float = DEFAULT_COOLDOWN, memory: bool = True,
            render_seconds: float = 1.0, env: Mapping[str, str] | None = None) -> ReaderSettings:
    env = os.environ if env is None else env
    return ReaderSettings(
        db_url=db_url or env.get("PROMPTSYNC_DB_URL") or DEFAULT_DB_URL,
        redis_url=redis_url or env.get("PROMPTSYNC_REDIS_URL") or None,
        redis_timeout=_seconds(redis_timeout, env, "PROMPTSYNC_REDIS_TIMEOUT",
                               DEFAULT_REDIS_TIMEOUT),
        db_timeout=_seconds(db_timeout, env, "PROMPTSYNC_DB_TIMEOUT", DEFAULT_DB_TIMEOUT),
        cooldown=cooldown, memory=memory, render_seconds=render_seconds,
    )


def _seconds(given: float | None, env: Mapping[str, str], name: str, default: float) -> float:
    if given is not None:
        value = float(given)
    elif env.get(name):
        try:
            value = float(env[name])
        except ValueError:
            raise UsageError(f"{name}={env[name]!r} is not a number of seconds") from None
    else:
        value = default
    if value <= 0:
        raise UsageError(f"timeout must be positive, got {value}")
    return value


def hide_password(url: str) -> str:
    """The URL fit for a log line: any password replaced by ***."""
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            parts = urlsplit(url)
            if parts.password is None:
                return url
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return urlunsplit(parts._replace(netloc=netloc))
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL must not leak through an error message either
        return "<unparsable url>"
