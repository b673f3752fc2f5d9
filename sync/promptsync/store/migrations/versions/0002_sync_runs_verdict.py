"""sync_runs.verdict: the key a rejection was made under (validator version, options).

Additive: a nullable column that only the daemon reads; rows written before it keep NULL, which
matches no key, so a commit rejected by an older validator is validated again once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_runs", sa.Column("verdict", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_column("verdict")
