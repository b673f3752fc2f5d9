"""Settings resolution shared by every part: explicit argument, then PROMPTSYNC_* env, then default.

Values are passed in as parameters from here on, so tests never patch globals.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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


def hide_password(url: str) -> str:
    """A URL fit for a log line: any password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        pass
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = (rest if sep else url).rpartition("@")
    if not at or ":" not in userinfo:
        return url  # no password in it (git@host:org/repo.git stays as it is)
    if not sep:  # no scheme to find the user name by: hide all of it
        return "<unparsable url>"
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"
