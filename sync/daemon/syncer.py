"""One sync cycle: resolve the ref, validate the commit, apply it in one transaction, then Redis.

The database is the truth; Redis follows it. Every cycle compares the branch head, the database's
commit and generation, and Redis's generation, and repairs whatever gap it finds, so a crash
between the database commit and the invalidation heals by itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sync.cache.invalidate import Invalidator, RedisDown
from sync.daemon.checkpoint import checkpoint
from sync.daemon.metrics import Metrics
from sync.daemon.outcome import Outcome
from sync.daemon.planner import plan
from sync.daemon.source import GitSource
from sync.errors import GitError, UnreachableError
from sync.gitio.repo import GitRepository
from sync.model import PromptId
from sync.store.apply import StateMoved, apply_changes
from sync.store.changeset import ApplyResult, ChangeSet
from sync.store.migrate import upgrade
from sync.store.state import (
    PublishedState,
    changed_since,
    live_count,
    live_prompts,
    read_state,
    record_run,
    rejected_run,
)
from sync.validate import Report, SourceFile, Validator
from sync.validate.codes import DEFAULT_MISSING_TYPE

log = logging.getLogger(__name__)
PLAN_ATTEMPTS = 3


class ValidatorLike(Protocol):
    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, int] | None = None) -> Report: ...


class Syncer:
    """Keeps one database (and optionally one Redis) at the head of one branch."""

    def __init__(self, source: GitSource, ref: str, engine: Engine,
                 invalidator: Invalidator | None, *, validator: ValidatorLike | None = None,
                 allow_empty: bool = False, metrics: Metrics | None = None) -> None:
        self.source, self.ref, self.engine = source, ref, engine
        self.invalidator = invalidator
        self.validator: ValidatorLike = validator or Validator()  # one per process: blob cache
        self.allow_empty = allow_empty
        self.metrics = metrics or Metrics()
        self.rejected: set[str] = set()
        self._migrated = False

    def cycle(self) -> Outcome:
        """Run one cycle; never raises for an unreachable server (the outcome says so)."""
        started = time.perf_counter()
        try:
            outcome = self._cycle()
        except (GitError, UnreachableError) as exc:
            outcome = Outcome("unreachable", reason=f"git: {exc}")
        except SQLAlchemyError as exc:
            outcome = Outcome("unreachable", reason=f"database: {_short(exc)}")
        outcome.duration = time.perf_counter() - started
        self._report(outcome)
        return outcome

    def _cycle(self) -> Outcome:
        if not self._migrated:  # here, not at start: a database down at start is retried too
            upgrade(self.engine)
            self._migrated = True
        self._refresh()
        for attempt in range(PLAN_ATTEMPTS):
            with self.source.open() as repo:
                # State first, ref second: whatever commit another daemon published, it resolved
                # it before we read the state, so our ref is at least as new; a target behind
                # the state then means the branch itself moved back.
                state = read_state(self.engine)
                target = repo.resolve(self.ref)
                checkpoint("resolved")
                if state.commit == target:
                    return self._current(state)
                if self.source.remote and attempt == 0 and _looks_stale(repo, state, target):
                    self._refresh()  # our mirror may lag another daemon's: never move back
                    continue
                outcome = self._try_apply(repo, state, target)
            if outcome is not None:
                return outcome
        return Outcome("unreachable", reason="sync_state kept moving under us (other writers)")

    def _try_apply(self, repo: GitRepository, state: PublishedState,
                   target: str) -> Outcome | None:
        started_at = datetime.now(UTC)
        if target in self.rejected or rejected_run(self.engine, target) is not None:
            self.rejected.add(target)
            return Outcome("rejected", target, state.commit, reason="already rejected")
        files = repo.files(target)
        empty = not any(PromptId.from_path(f.path) for f in files)
        if empty and not self.allow_empty and live_count(self.engine) > 0:
            return self._reject(state, target, ["the commit would delete every prompt "
                                                "(pass --allow-empty to publish that)"], started_at)
        report = self.validator.validate(files)
        checkpoint("validated")
        # An operator who allowed an empty tree has accepted that brand default is gone too.
        errors = [f for f in report.errors if not (empty and f.code == DEFAULT_MISSING_TYPE)]
        if errors:
            return self._reject(state, target, [f.as_text() for f in errors], started_at)
        changes = plan(repo, state, target, report.prompts, lambda: live_prompts(self.engine))
        try:
            result = apply_changes(self.engine, changes, checkpoint, started_at)
        except StateMoved as exc:
            log.info("another writer moved the database first (%s); planning again", exc)
            return None
        checkpoint("committed")
        return self._applied(changes, result)

    def _applied(self, changes: ChangeSet, result: ApplyResult) -> Outcome:
        cache_ok = self._invalidate(changes.commit.sha, result.generation, result.changed)
        checkpoint("invalidated")
        if cache_ok:
            lag = (datetime.now(UTC) - changes.commit.committed_at).total_seconds()
            self.metrics.merge_to_live.observe(max(lag, 0.0))
        return Outcome("applied" if result.touched else "unchanged", changes.commit.sha,
                       changes.from_commit, result.generation, result.created, result.updated,
                       result.deleted, cache_ok=cache_ok)

    def _current(self, state: PublishedState) -> Outcome:
        return Outcome("current", state.commit, state.commit, state.generation,
                       cache_ok=self.heal_cache(state))

    def _reject(self, state: PublishedState, target: str, errors: list[str],
                started_at: datetime) -> Outcome:
        for line in errors:
            log.warning("rejected %s: %s", target, line)
        record_run(self.engine, from_commit=state.commit, to_commit=target, status="rejected",
                   error="\n".join(errors), started_at=started_at)
        self.rejected.add(target)
        outcome = Outcome("rejected", target, state.commit, state.generation,
                          reason="\n".join(errors))
        outcome.cache_ok = self.heal_cache(state)
        return outcome

    def heal_cache(self, state: PublishedState | None = None) -> bool:
        """Bring Redis up to the database's generation if it lags; False while Redis is down."""
        if self.invalidator is None:
            return True
        state = state or read_state(self.engine)
        try:
            seen = self.invalidator.generation()
            if state.commit is None or (seen is not None and seen >= state.generation):
                return True
            stale = changed_since(self.engine, -1 if seen is None else seen)
            log.info("redis is at generation %s, database at %s: repairing %d keys",
                     seen, state.generation, len(stale))
            return self._invalidate(state.commit, state.generation, stale)
        except RedisDown:
            self.metrics.invalidation_failures.inc()
            return False

    def _invalidate(self, commit: str, generation: int, changed: list[PromptId]) -> bool:
        if self.invalidator is None:
            return True
        try:
            self.invalidator.publish(commit, generation, changed)
            return True
        except RedisDown as exc:
            self.metrics.invalidation_failures.inc()
            log.warning("redis invalidation of generation %d failed (%s); will retry",
                        generation, exc)
            return False

    def _refresh(self) -> None:
        if self.source.remote:
            self.metrics.git_requests.labels("fetch").inc()
        self.source.refresh()

    def _report(self, outcome: Outcome) -> None:
        m = self.metrics
        m.reconcile.observe(outcome.duration)
        m.cycle_done()
        if outcome.generation is not None:
            m.generation.set(outcome.generation)
        if outcome.status in ("applied", "unchanged", "current"):
            m.good_sync()
        if outcome.status == "current" or outcome.reason == "already rejected":
            log.debug("%s", outcome.log_line())
            return
        m.runs.labels(outcome.status).inc()
        level = logging.INFO if outcome.exit_code == 0 else logging.WARNING
        log.log(level, "%s", outcome.log_line())


def _looks_stale(repo: GitRepository, state: PublishedState, target: str) -> bool:
    """The database holds a commit we do not know, or one our ref is behind."""
    if state.commit is None:
        return False
    return not repo.has_commit(state.commit) or repo.is_ancestor(target, state.commit)


def _short(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
