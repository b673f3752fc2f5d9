"""The one settings rule: the explicit value (a flag, an argument), then the `PROMPTSYNC_*`
environment variable, then the default; and the checks a URL passes before anything uses it.

Every command builds its typed settings object through these functions, and so does the reader;
values are passed on as parameters from here, so tests never patch globals. This module stays
light (no SQLAlchemy, no redis at import) because `validate`, run by every pre-commit hook,
imports it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from promptsync.credentials import redact
from promptsync.errors import UsageError

T = TypeVar("T")

REPO_ENV = "PROMPTSYNC_REPO"
REF_ENV = "PROMPTSYNC_REF"
DB_URL_ENV = "PROMPTSYNC_DB_URL"
REDIS_URL_ENV = "PROMPTSYNC_REDIS_URL"
WEBHOOK_SECRET_ENV = "PROMPTSYNC_WEBHOOK_SECRET"
DEFAULT_REF = "main"
DEFAULT_DB_URL = "sqlite:///promptsync.db"
DATABASE_BACKENDS = ("sqlite", "postgresql")
REDIS_SCHEMES = ("redis", "rediss", "unix")


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


def resolve_ref(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The published branch, the one the daemon follows: --ref, then PROMPTSYNC_REF, then main."""
    return resolve(explicit, REF_ENV, DEFAULT_REF, environ) or DEFAULT_REF


def resolve_folder(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """The prompt repository's folder: --repo, then PROMPTSYNC_REPO, then the current folder."""
    given = resolve(explicit, REPO_ENV, ".", environ) or "."
    root = Path(given)
    if not root.is_dir():  # the text as given: Path would fold a URL's `//` out of the mask
        raise UsageError(f"{redact(given)} is not a directory "
                         f"(hint: pass --repo DIR or set {REPO_ENV})")
    return root.resolve()


def resolve_db_url(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The database: --db, then PROMPTSYNC_DB_URL, then the embedded SQLite file; checked."""
    return check_database_url(resolve(explicit, DB_URL_ENV, DEFAULT_DB_URL, environ)
                              or DEFAULT_DB_URL)


def resolve_redis_url(explicit: str | None,
                      environ: Mapping[str, str] | None = None) -> str | None:
    """Redis: --redis, then PROMPTSYNC_REDIS_URL, else none (no cache tier); checked."""
    url = resolve(explicit, REDIS_URL_ENV, None, environ)
    return None if url is None else check_redis_url(url)


def check_database_url(url: str) -> str:
    """`url` when it names a database promptsync can open; else a usage error (exit 2) naming
    the URL with its password masked."""
    # Parsed as the engine will parse it (a password may hold a `/`, which urlsplit would take
    # for the path); only the commands that open a database import SQLAlchemy.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    example = "e.g. sqlite:///promptsync.db or postgresql+psycopg://user@host/db"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(f"{redact(url)} is not a database URL ({example})") from None
    except ValueError:  # the one thing make_url converts: the port
        raise UsageError(f"{redact(url)} is not a database URL: the port is not a "
                         f"number ({example})") from None
    backend = parsed.get_backend_name()
    if backend not in DATABASE_BACKENDS:
        raise UsageError(f"unsupported database {backend!r} in {redact(url)} "
                         "(use sqlite or postgresql)")
    host = parsed.host
    if backend == "sqlite" and host:
        # sqlite://promptsync.db: two slashes make the file's name a host, which SQLite has not.
        raise UsageError(f"{redact(url)} names no SQLite file ({host!r} is read as a host "
                         f"name): write {redact(url.replace('://', ':///', 1))} (three slashes "
                         "before a relative path, four before an absolute one)")
    return url


def check_redis_url(url: str) -> str:
    """`url` when it is a Redis URL; else a usage error naming it, password masked. Checked
    with urlsplit, as redis-py parses it."""
    example = "e.g. redis://localhost:6379/0"
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES or "://" not in url:
        raise UsageError(f"{redact(url)} is not a Redis URL ({example})")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked for it
    except ValueError:
        raise UsageError(f"{redact(url)} is not a Redis URL: the port is not a number "
                         f"between 0 and 65535 ({example})") from None
    return url
