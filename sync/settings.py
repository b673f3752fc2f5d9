"""The one settings rule: the explicit value (a flag, an argument), then the `PROMPTSYNC_*`
environment variable, then the default.

Every command builds its typed settings object through these functions, and so does the reader;
values are passed on as parameters from here, so tests never patch globals. This module stays
light because `validate`, run by every pre-commit hook, imports it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from promptsync.credentials import hide_password, redact
from promptsync.errors import UsageError

__all__ = ["hide_password", "redact"]  # re-exported: the daemon, reader and store import them here

T = TypeVar("T")

REPO_ENV = "PROMPTSYNC_REPO"
REF_ENV = "PROMPTSYNC_REF"
DB_URL_ENV = "PROMPTSYNC_DB_URL"
REDIS_URL_ENV = "PROMPTSYNC_REDIS_URL"
DEFAULT_REF = "main"
DEFAULT_DB_URL = "sqlite:///promptsync.db"


def resolve(explicit: str | None, env_name: str, default: str | None,
            environ: Mapping[str, str] | None = None) -> str | None:
    """`explicit` when given, else the env variable when set and not blank, else `default`."""
    if explicit is not None and explicit != "":
        return explicit
    value = (os.environ if environ is None else environ).get(env_name, "").strip()
    return value or default


def resolve_as(explicit: T | None, env_name: str, default: T, parse: Callable[[str], T],
               environ: Mapping[str, str] | None = None, *, expected: str = "valid") -> T:
    """The same rule for a typed value: the variable's text goes through `parse`; text it
    refuses (ValueError) is a usage error naming the variable and what was `expected`."""
    if explicit is not None:
        return explicit
    text = resolve(None, env_name, None, environ)
    if text is None:
        return default
    try:
        return parse(text)
    except ValueError:
        raise UsageError(f"{env_name}={text!r} is not {expected}") from None


def resolve_folder(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """The prompt repository's folder: --repo, then PROMPTSYNC_REPO, then the current folder."""
    root = Path(resolve(explicit, REPO_ENV, ".", environ) or ".")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory (hint: pass --repo DIR or set {REPO_ENV})")
    return root.resolve()


def resolve_db_url(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The database: --db, then PROMPTSYNC_DB_URL, then the embedded SQLite file."""
    return resolve(explicit, DB_URL_ENV, DEFAULT_DB_URL, environ) or DEFAULT_DB_URL


def resolve_redis_url(explicit: str | None,
                      environ: Mapping[str, str] | None = None) -> str | None:
    """Redis: --redis, then PROMPTSYNC_REDIS_URL, else none (no cache tier)."""
    return resolve(explicit, REDIS_URL_ENV, None, environ)
