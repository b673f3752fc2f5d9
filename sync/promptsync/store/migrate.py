"""Bring a database to the newest schema with the Alembic migrations shipped in the package."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
_ALEMBIC_LOCK = threading.Lock()


def alembic_config(engine: Engine) -> Config:
    """A Config built in code (no alembic.ini): the scripts in the package, our engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def upgrade(engine: Engine) -> None:
    """Run every pending migration; a no-op when the database is at head."""
    head = head_revision(engine)
    if current_revision(engine) == head:
        return
    # Alembic keeps `context` and `op` as module globals: one migration per process at a time.
    # Between processes the database serialises them (advisory lock / BEGIN IMMEDIATE).
    with _ALEMBIC_LOCK:
        log.info("migrating the database to %s", head)
        command.upgrade(alembic_config(engine), "head")
