"""Settings resolve as explicit argument, then PROMPTSYNC_* variable, then default."""

from __future__ import annotations

from promptsync.credentials import redact
from promptsync.settings import resolve


def test_explicit_wins_then_env_then_default() -> None:
    env = {"PROMPTSYNC_REF": "release"}
    assert resolve("main", "PROMPTSYNC_REF", "x", env) == "main"
    assert resolve(None, "PROMPTSYNC_REF", "x", env) == "release"
    assert resolve(None, "PROMPTSYNC_REF", "x", {"PROMPTSYNC_REF": "  "}) == "x"
    assert resolve("", "PROMPTSYNC_REF", None, {}) is None


def test_passwords_are_hidden() -> None:
    assert redact("postgresql+psycopg://app:s3cret@db:5432/prompts") == \
        "postgresql+psycopg://app:***@db:5432/prompts"
    assert redact("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert redact("sqlite:///promptsync.db") == "sqlite:///promptsync.db"
    # URLs SQLAlchemy cannot parse: no scheme, a port that is not a number.
    assert "s3cret" not in redact("not a url :s3cret@")
    assert "s3cret" not in redact("postgresql://app:s3cret@db:port/prompts")
    assert redact("git@github.com:org/prompts.git") == "git@github.com:org/prompts.git"
