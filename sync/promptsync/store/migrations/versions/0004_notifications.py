"""The notifications' outbox, its receivers and their finished deliveries.

Additive: three new tables that only the daemon and `promptsync notifications` read; readers
and older daemons never name them. A daemon from before this migration publishes without writing
to the outbox, which is all an older daemon could do anyway.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("dedupe", sa.String(100), nullable=True, unique=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "notification_receivers",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("shown", sa.String(255), nullable=False),
        sa.Column("cursor", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_attempt_at", TS, nullable=True),
        sa.Column("lease_owner", sa.String(80), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("added_at", TS, nullable=False),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("notification_id", sa.Integer, nullable=False),
        sa.Column("receiver", sa.String(16), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("finished_at", TS, nullable=False),
        sa.UniqueConstraint("notification_id", "receiver", name="uq_notification_deliveries"),
    )


def downgrade() -> None:
    for table in ("notification_deliveries", "notification_receivers", "notifications"):
        op.drop_table(table)
