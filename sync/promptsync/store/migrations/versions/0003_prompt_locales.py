"""prompts and prompt_versions get `locale`, `language` and `translated_from`; prompts is unique
on (brand, type, locale) instead of (brand, type).

Expand only: every existing row becomes a base text (locale "" by the server default, language ""
until its brand declares one, translated_from NULL), no row is rewritten by hand and nothing is
dropped but the old unique constraint, which the new one (a superset key) replaces.

Readers during the rollout (no downtime):
- An old reader selects `... FROM prompts p WHERE p.brand IN (:brand, 'default') AND p.type =
  :type` and takes the first row of the asked brand. It never names `locale`, so the new
  columns cost it nothing, and while every row is a base text it reads exactly what it read
  before. Once a translation row exists, the same SELECT matches it too and the old reader may
  pick it in place of the base text (row order is unspecified): an old reader and a translation
  row must never meet.
- An old reader's Redis keys (`promptsync:prompt:{brand}:{type}`) are the new base keys and hold
  the same JSON plus fields it ignores; an event naming a translation (`acme/greeting.de`) is
  one it cannot parse, and it then drops its whole in-process tier: safe, merely a miss.

So the order is:
1. Deploy the new daemon: it runs this migration at its first cycle, before it reads a commit,
   and keeps writing base texts only while the repository has no translation file. On
   PostgreSQL the columns are added without a table rewrite (a constant default) and the
   constraint swap holds the table's lock for the time it takes to index the live prompts
   (milliseconds: one row per brand, type and locale); `lock_timeout` keeps it from queueing
   readers behind a long transaction (it fails and the daemon retries instead).
2. Deploy the new readers (chat runtime, `promptsync serve`).
3. Only then merge the first translation file (`prompts/<brand>/<type>.<locale>.yaml`). The
   daemon writes a translation row only for such a file, so until step 3 the table holds base
   texts alone and old and new readers agree on every answer.
A repository that already holds translation files when it meets an old reader is the one case
this order forbids; new installations have no old readers and need no order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TAG = sa.String(35)
TABLES = ("prompts", "prompt_versions")


def _columns() -> list[sa.Column[object]]:
    return [sa.Column("locale", TAG, nullable=False, server_default=""),
            sa.Column("language", TAG, nullable=False, server_default=""),
            sa.Column("translated_from", sa.Integer, nullable=True)]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in _columns():
                batch.add_column(column)
    with op.batch_alter_table("prompts") as batch:
        batch.drop_constraint("uq_prompts_brand_type", type_="unique")
        batch.create_unique_constraint("uq_prompts_brand_type_locale",
                                       ["brand", "type", "locale"])


def downgrade() -> None:
    # Going back to one text per (brand, type): the translations cannot stay.
    op.execute("DELETE FROM prompts WHERE locale <> ''")
    op.execute("DELETE FROM prompt_versions WHERE locale <> ''")
    with op.batch_alter_table("prompts") as batch:
        batch.drop_constraint("uq_prompts_brand_type_locale", type_="unique")
        batch.create_unique_constraint("uq_prompts_brand_type", ["brand", "type"])
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ("translated_from", "language", "locale"):
                batch.drop_column(column)
