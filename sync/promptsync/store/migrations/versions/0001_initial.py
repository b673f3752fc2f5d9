"""The first schema: prompts, prompt_versions, sync_runs and the one sync_state row.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SHA = sa.String(64)
TS = sa.DateTime(timezone=True)


def _prompt_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("brand", sa.String(63), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("variables", sa.JSON, nullable=False),
        sa.Column("commit_sha", SHA, nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("committed_at", TS, nullable=False),
        sa.Column("synced_at", TS, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_prompt_columns(),
        sa.UniqueConstraint("brand", "type", name="uq_prompts_brand_type"),
    )
    op.create_table(
        "prompt_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_prompt_columns(),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("generation", sa.Integer, nullable=True),
    )
    op.create_index("ix_prompt_versions_brand_type", "prompt_versions", ["brand", "type"])
    op.create_index("ix_prompt_versions_generation", "prompt_versions", ["generation"])
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("from_commit", SHA, nullable=True),
        sa.Column("to_commit", SHA, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Integer, nullable=False),
        sa.Column("generation", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
    )
    op.create_index("ix_sync_runs_to_commit", "sync_runs", ["to_commit"])
    state = op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commit_sha", SHA, nullable=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=True),
    )
    # The one row exists from the start, so every writer advances it with a compare-and-set.
    op.bulk_insert(state, [{"id": 1, "commit_sha": None, "generation": 0, "updated_at": None}])


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("sync_runs")
    op.drop_table("prompt_versions")
    op.drop_table("prompts")
