"""Reads of the daemon's bookkeeping and of what it published: the published state, the run
history, what changed, the live prompts. Every front end reads the tables through these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, inspect, select

from promptsync.model import PromptId, PromptType, id_order
from promptsync.record import Prompt, freeze_variables, freeze_variants
from promptsync.store import outbox
from promptsync.store.models import PromptRow, PromptVersionRow, SyncRunRow, SyncStateRow
from promptsync.store.models import as_utc as as_utc  # re-exported: the store's readers use it
from promptsync.store.outbox import Event

# A published prompt by (brand, type, locale): its row as the reader's record, and when it went
# live.
Published = dict[tuple[str, PromptType, str], tuple[Prompt, datetime]]


@dataclass(frozen=True)
class PublishedState:
    commit: str | None
    generation: int


@dataclass(frozen=True)
class LivePrompt:
    """The parts of a live row the planner compares with a file."""

    version: int
    template: str
    description: str
    variables: dict[str, Any]
    language: str = ""
    variants: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class RunRecord:
    """One row of sync_runs."""

    id: int
    from_commit: str | None
    to_commit: str
    status: str
    created: int
    updated: int
    deleted: int
    generation: int | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["started_at"] = _iso(self.started_at)
        out["finished_at"] = _iso(self.finished_at)
        return out


def _iso(when: datetime | None) -> str | None:
    return None if when is None else as_utc(when).isoformat()


RUNS = SyncRunRow.__table__
# What readers of the history see: every column of the first schema. The daemon's own
# bookkeeping (`verdict`) stays out, so `status` also reads a database an older daemon keeps.
RUN_FIELDS = [c for c in RUNS.c if c.name in RunRecord.__dataclass_fields__]


def _record(row: Any) -> RunRecord | None:
    return None if row is None else RunRecord(**dict(row._mapping))


def has_tables(engine: Engine) -> bool:
    """Whether the database holds promptsync's tables (the daemon's first run creates them)."""
    with engine.connect() as conn:
        return inspect(conn).has_table(SyncStateRow.__tablename__)


def published_generation(engine: Engine) -> int | None:
    """`sync_state.generation`, or None before the daemon's first commit."""
    with engine.connect() as conn:
        return conn.execute(select(SyncStateRow.generation)
                            .where(SyncStateRow.id == 1)).scalar()


def read_state(engine: Engine) -> PublishedState:
    with engine.connect() as conn:
        row = conn.execute(select(SyncStateRow.commit_sha, SyncStateRow.generation)
                           .where(SyncStateRow.id == 1)).one()
    return PublishedState(row.commit_sha, row.generation)


def live_prompts(engine: Engine) -> dict[PromptId, LivePrompt]:
    """Every live prompt (used only for a full comparison: first load, unknown old commit)."""
    cols = (PromptRow.brand, PromptRow.type, PromptRow.locale, PromptRow.version,
            PromptRow.template, PromptRow.description, PromptRow.variables, PromptRow.language,
            PromptRow.variants)
    with engine.connect() as conn:
        rows = conn.execute(select(*cols)).all()
    return {PromptId(r.brand, PromptType(r.type), r.locale):
            LivePrompt(r.version, r.template, r.description, r.variables, r.language,
                       r.variants or None)
            for r in rows}


def published_prompts(engine: Engine) -> Published:
    """Every live row, as the reader's record (source "db") and the time it went live."""
    cols = [PromptRow.brand, PromptRow.type, PromptRow.version, PromptRow.template,
            PromptRow.variables, PromptRow.commit_sha, PromptRow.synced_at,
            PromptRow.locale, PromptRow.language, PromptRow.variants]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols)).all()
    found = {}
    for r in rows:
        t = PromptType(r.type)
        found[(r.brand, t, r.locale)] = (
            Prompt(r.brand, t, r.template, r.version, r.commit_sha, "db",
                   freeze_variables(r.variables), 0, r.locale, r.language,
                   freeze_variants(r.variants)), r.synced_at)
    return found


def synced_at(engine: Engine, brand: str, t: PromptType, locale: str) -> datetime | None:
    """When the live row of (brand, type, locale) was published; None without one."""
    query = select(PromptRow.synced_at).where(PromptRow.brand == brand,
                                              PromptRow.type == t.value,
                                              PromptRow.locale == locale)
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def live_brands(engine: Engine) -> frozenset[str]:
    """The brands that have a live prompt."""
    with engine.connect() as conn:
        return frozenset(conn.execute(select(PromptRow.brand).distinct()).scalars().all())


def live_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(PromptRow.id)).all())


def changed_since(engine: Engine, generation: int) -> list[PromptId]:
    """Ids published at a generation above `generation` (what Redis may still hold stale)."""
    query = (select(PromptVersionRow.brand, PromptVersionRow.type, PromptVersionRow.locale)
             .distinct().where(PromptVersionRow.generation > generation))
    with engine.connect() as conn:
        return sorted((PromptId(r.brand, PromptType(r.type), r.locale)
                       for r in conn.execute(query)), key=id_order)


def rejected_run(engine: Engine, sha: str, verdict: str) -> RunRecord | None:
    """The latest run that rejected `sha` under the same `verdict` key, so a bad commit is not
    validated on a loop; a new validator or option (another key) gets to look again."""
    query = (select(*RUN_FIELDS)
             .where(RUNS.c.to_commit == sha, RUNS.c.status == "rejected",
                    RUNS.c.verdict == verdict)
             .order_by(RUNS.c.id.desc()).limit(1))
    with engine.connect() as conn:
        return _record(conn.execute(query).first())


def failed_run(engine: Engine, sha: str, error: str) -> RunRecord | None:
    """The latest run of `sha` the database refused for the same reason (recorded once)."""
    query = (select(*RUN_FIELDS)
             .where(RUNS.c.to_commit == sha, RUNS.c.status == "failed", RUNS.c.error == error)
             .order_by(RUNS.c.id.desc()).limit(1))
    with engine.connect() as conn:
        return _record(conn.execute(query).first())


def status_dict(state: PublishedState, applied: RunRecord | None,
                attempted: RunRecord | None) -> dict[str, Any]:
    """What `status` and GET /v1/status answer: the published commit, the last good and the last
    attempted run."""
    return {"published": {"commit": state.commit, "generation": state.generation},
            "last_applied": applied.as_dict() if applied else None,
            "last_attempted": attempted.as_dict() if attempted else None}


def last_runs(engine: Engine) -> tuple[RunRecord | None, RunRecord | None]:
    """(last applied or unchanged run, last run of any status)."""
    good = (select(*RUN_FIELDS).where(RUNS.c.status.in_(("applied", "unchanged")))
            .order_by(RUNS.c.id.desc()).limit(1))
    anything = select(*RUN_FIELDS).order_by(RUNS.c.id.desc()).limit(1)
    with engine.connect() as conn:
        return _record(conn.execute(good).first()), _record(conn.execute(anything).first())


def applied_runs(engine: Engine) -> list[tuple[str, datetime]]:
    """(to_commit, finished_at) of every applied run, in the order they finished."""
    query = (select(RUNS.c.to_commit, RUNS.c.finished_at)
             .where(RUNS.c.status == "applied", RUNS.c.finished_at.is_not(None))
             .order_by(RUNS.c.finished_at, RUNS.c.id))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [(str(sha), as_utc(at)) for sha, at in rows if at is not None]


def record_run(engine: Engine, *, from_commit: str | None, to_commit: str, status: str,
               error: str | None, started_at: datetime, verdict: str | None = None,
               event: Event | None = None) -> None:
    """A run that wrote no prompt (rejected, failed), in its own small transaction, with the
    notification that tells of it (`event`) in the same one."""
    with engine.begin() as conn:
        conn.execute(insert(SyncRunRow).values(
            from_commit=from_commit, to_commit=to_commit, status=status, created=0, updated=0,
            deleted=0, generation=None, error=error, started_at=started_at,
            finished_at=datetime.now(UTC), verdict=verdict))
        if event is not None:
            outbox.add(conn, event)
