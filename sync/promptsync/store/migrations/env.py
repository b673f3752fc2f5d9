"""Alembic environment: the engine comes from `promptsync.store.migrate.alembic_config`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from promptsync.store.apply import ADVISORY_LOCK_KEY
from promptsync.store.models import Base

engine: Engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two daemons starting on an empty database must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": ADVISORY_LOCK_KEY})
        context.run_migrations()
    connection.commit()
