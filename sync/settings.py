"""Settings resolution shared by every part: explicit argument, then PROMPTSYNC_* env, then default.

Values are passed in as parameters from here on, so tests never patch globals.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from promptsync.credentials import hide_password, redact

__all__ = ["hide_password", "redact"]  # re-exported: the daemon, reader and store import them here

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
