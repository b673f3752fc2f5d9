"""Reads of the daemon's bookkeeping: the published state, the run history, what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from promptsync.model import PromptId, PromptType
from promptsync.store import outbox
from promptsync.store.models import (
    PromptRow,
    PromptVersionRow,
    SyncRunRow,
    SyncStateRow,
    as_utc,
)
from promptsync.store.outbox import Event


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


def read_state(engine: Engine) -> PublishedState:
    with engine.connect() as conn:
        row = conn.execute(select(SyncStateRow.commit_sha, SyncStateRow.generation)
                           .where(SyncStateRow.id == 1)).one()
    return PublishedState(row.commit_sha, row.generation)


def live_prompts(engine: Engine) -> dict[PromptId, LivePrompt]:
    """Every live prompt (used only for a full comparison: first load, unknown old commit)."""
    cols = (PromptRow.brand, PromptRow.type, PromptRow.locale, PromptRow.version,
            PromptRow.template, PromptRow.description, PromptRow.variables, PromptRow.language)
    with engine.connect() as conn:
        rows = conn.execute(select(*cols)).all()
    return {PromptId(r.brand, PromptType(r.type), r.locale):
            LivePrompt(r.version, r.template, r.description, r.variables, r.language)
            for r in rows}


def live_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(PromptRow.id)).all())


def changed_since(engine: Engine, generation: int) -> list[PromptId]:
    """Ids published at a generation above `generation` (what Redis may still hold stale)."""
    query = (select(PromptVersionRow.brand, PromptVersionRow.type, PromptVersionRow.locale)
             .distinct().where(PromptVersionRow.generation > generation))
    with engine.connect() as conn:
        return sorted(PromptId(r.brand, PromptType(r.type), r.locale)
                      for r in conn.execute(query))


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
