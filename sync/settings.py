"""Settings resolution shared by every part: explicit argument, then PROMPTSYNC_* env, then default.

Values are passed in as parameters from here on, so tests never patch globals.
"""

from __future__ import annotations

import os
import re
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


def hide_password(text: str) -> str:
    """A URL, or a message that may quote one, fit for a log line: every credential as ***.

    Covers the password of `scheme://user:password@host` and any parameter that names a secret
    (`?password=`, `sslpassword=`, `token=`, libpq's `password=...` keyword form).
    """
    try:
        shown = make_url(text).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        shown = _USERINFO_PASSWORD.sub(r"\g<head>:***@", text)
    return _SECRET_PARAMETER.sub(r"\g<key>=***", shown)


# `user:password@` with or without a scheme; git@github.com:org/repo.git has no password.
_USERINFO_PASSWORD = re.compile(r"(?P<head>(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^\s:/@]*):(?!//)[^\s@]*@")
_SECRET_PARAMETER = re.compile(
    r"(?i)(?P<key>\b[\w.-]*(?:pass(?:word|wd)?|pwd|secret|token))=[^&;\s'\"]*")
