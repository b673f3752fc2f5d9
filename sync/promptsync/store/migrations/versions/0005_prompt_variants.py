"""prompts and prompt_versions get `variants`: the JSON list of a prompt's variants (name,
weight, template, description), NULL for a prompt without any.

Expand only: a nullable column, added without a table rewrite on PostgreSQL and SQLite alike;
no row is rewritten (every existing prompt has no variants, which NULL says).

Readers during the rollout: an old reader never names the column, so it keeps reading every
prompt's own template, which is what a file without variants serves anyway; for a file with
variants it serves `control` to every subject. A new reader selects the column, so it needs the
migration first. The order, as for 0003: deploy the new daemon (it migrates at its first
cycle), then the new readers, then merge the first file with `variants:`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("prompts", "prompt_versions")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Adding a column takes the table's lock for a moment: fail (the daemon retries)
        # rather than queue the readers behind a long transaction.
        op.execute("SET LOCAL lock_timeout = '5s'")
    for table in TABLES:
        op.add_column(table, sa.Column("variants", sa.JSON, nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("variants")
