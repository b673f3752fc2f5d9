"""The tables as SQLAlchemy 2 typed models; the chat runtime may read them directly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SHA = String(64)  # room for SHA-256 repositories
TAG = String(35)  # a BCP 47 tag; RFC 5646 asks implementations to take at least 35 characters


class Base(DeclarativeBase):
    pass


def as_utc(when: datetime) -> datetime:
    """`when` with its time zone: SQLite hands back naive datetimes, and the daemon writes UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class PromptRow(Base):
    """One row per live prompt."""

    __tablename__ = "prompts"
    __table_args__ = (UniqueConstraint("brand", "type", "locale",
                                       name="uq_prompts_brand_type_locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    brand: Mapped[str] = mapped_column(String(63))
    type: Mapped[str] = mapped_column(String(20))
    # "" is the brand's base text; a translation's tag otherwise (migration 0003).
    locale: Mapped[str] = mapped_column(TAG, default="", server_default="")
    # The language the text is written in: a translation's tag language, a base text's brand
    # language (brand.yaml, else default's), "" when nobody declared it.
    language: Mapped[str] = mapped_column(TAG, default="", server_default="")
    translated_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str] = mapped_column(Text)
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{name, weight, template, description}] in file order; NULL without variants (0005).
    variants: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    commit_sha: Mapped[str] = mapped_column(SHA)
    author: Mapped[str] = mapped_column(String(255), default="")
    committed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PromptVersionRow(Base):
    """Every version ever published, with what happened to it."""

    __tablename__ = "prompt_versions"
    __table_args__ = (Index("ix_prompt_versions_brand_type", "brand", "type"),
                      Index("ix_prompt_versions_generation", "generation"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    brand: Mapped[str] = mapped_column(String(63))
    type: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(TAG, default="", server_default="")
    language: Mapped[str] = mapped_column(TAG, default="", server_default="")
    translated_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete | rollback
    # The sync_state generation this version was published at (lets the daemon heal Redis).
    generation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str] = mapped_column(Text)
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    variants: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    commit_sha: Mapped[str] = mapped_column(SHA)
    author: Mapped[str] = mapped_column(String(255), default="")
    committed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SyncRunRow(Base):
    """One row per sync attempt, applied or not."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_to_commit", "to_commit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_commit: Mapped[str | None] = mapped_column(SHA, nullable=True)
    to_commit: Mapped[str] = mapped_column(SHA)
    status: Mapped[str] = mapped_column(String(10))  # applied | unchanged | rejected | failed
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    generation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # What a rejection depends on besides the commit (validator version, options): a rejection
    # is final only for the same verdict key (migration 0002; NULL on rows written before it).
    verdict: Mapped[str | None] = mapped_column(String(200), nullable=True)


class SyncStateRow(Base):
    """Exactly one row (id 1): the published commit and its generation."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commit_sha: Mapped[str | None] = mapped_column(SHA, nullable=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class NotificationRow(Base):
    """The outbox: one row per event, written in the transaction that records what it tells
    (a publish, a rejection), delivered after it commits (promptsync.notify)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # X-Promptsync-Delivery
    event: Mapped[str] = mapped_column(String(20))  # published | rejected | failed | fleet-stale
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, but for its sending time
    # One fleet-stale per generation, however many daemons watch the fleet.
    dedupe: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NotificationReceiverRow(Base):
    """One per --notify URL: how far it got. Every notification with an id up to `cursor` was
    delivered or given up; `attempts` and the rest are about the next one."""

    __tablename__ = "notification_receivers"

    # The first 16 hex digits of the URL's SHA-256: the URL itself may be the secret (Slack's).
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    shown: Mapped[str] = mapped_column(String(255))  # the URL, its secret parts masked
    cursor: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    # Several daemons may hold the same URL: one delivers at a time, so the order holds.
    lease_owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NotificationDeliveryRow(Base):
    """A notification a receiver is done with: delivered, or given up after retrying."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "receiver",
                                       name="uq_notification_deliveries"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(Integer)
    receiver: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10))  # delivered | failed
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
