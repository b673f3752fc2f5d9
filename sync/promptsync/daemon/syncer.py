"""One sync cycle: resolve the ref, validate the commit, apply it in one transaction, then Redis.

The database is the truth; Redis follows it. Every cycle compares the branch head, the database's
commit and generation, and Redis's generation, and repairs whatever gap it finds, so a crash
between the database commit and the invalidation heals by itself.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from promptsync.cache.invalidate import Invalidator
from promptsync.core.workspace import Checker
from promptsync.daemon.cache_sync import CacheSync
from promptsync.daemon.checkpoint import checkpoint
from promptsync.daemon.faults import FaultLog, classify
from promptsync.daemon.gate import Gate
from promptsync.daemon.memory import collected_after, give_back_freed
from promptsync.daemon.metrics import Metrics
from promptsync.daemon.outcome import OK_STATUSES, UNREACHABLE_STATUSES, Outcome
from promptsync.daemon.planner import first_load, plan
from promptsync.daemon.refusals import Refusals
from promptsync.daemon.source import GitSource
from promptsync.errors import GitError, UnreachableError
from promptsync.gitio.repo import GitRepository
from promptsync.notify import events
from promptsync.notify.worker import Notifier
from promptsync.store.apply import FirstLoad, StateMoved, apply_changes
from promptsync.store.changeset import ApplyResult, ChangeSet, CommitMeta
from promptsync.store.engine import first_line, is_postgresql, schema_missing
from promptsync.store.migrate import upgrade
from promptsync.store.outbox import Event
from promptsync.store.state import (
    PublishedState,
    live_count,
    live_prompts,
    read_state,
)

log = logging.getLogger(__name__)
PLAN_ATTEMPTS = 5  # plans and fetches; each one follows another writer's progress
CONTENDED_RETRY = (0.05, 0.5)  # s: the range a contended cycle's next one is drawn from


class Syncer:
    """Keeps one database (and optionally one Redis) at the head of one branch."""

    def __init__(self, source: GitSource, ref: str, engine: Engine,
                 invalidator: Invalidator | None, *, validator: Checker | None = None,
                 allow_empty: bool = False, metrics: Metrics | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 notifier: Notifier | None = None) -> None:
        self.source, self.ref, self.engine = source, ref, engine
        self.notifier = notifier
        self.metrics = metrics or Metrics()
        self.invalidator = invalidator
        self.faults = FaultLog(self.metrics)
        self.cache = CacheSync(invalidator, engine, self.metrics, self.faults)
        self.gate = Gate(validator, allow_empty)
        self.refusals = Refusals(engine, self.gate.verdict, clock)
        self._migrated = False
        self._checked_whole_tree = False  # this cycle's: what it freed goes back to the system

    def cycle(self) -> Outcome:
        """Run one cycle; never raises for an unreachable server or an OS error such as EMFILE
        (the outcome says so, and the daemon retries)."""
        started = time.perf_counter()
        self.metrics.cycle_started()
        try:
            with collected_after():
                outcome = self._cycle()
        except (GitError, UnreachableError, SQLAlchemyError, OSError) as exc:
            fault = classify(exc)
            self.faults.record(fault)
            outcome = Outcome("unreachable", reason=str(fault))
        else:
            self.faults.clear("git", "database", "bug")
        self._give_back()  # a refused whole tree: its files and results are freed by now
        outcome.duration = time.perf_counter() - started
        self._report(outcome)
        if self.notifier is not None:
            self.notifier.wake()  # the cycle may have written to the outbox
        return outcome

    def crashed(self, exc: Exception) -> Outcome:
        """A cycle raised what nobody foresaw: logged once with its traceback, counted, and
        retried with backoff like any other error (the daemon keeps running)."""
        self.faults.record(classify(exc), traceback=exc)
        outcome = Outcome("error", reason=f"{type(exc).__name__}: {exc}")
        self._report(outcome)
        return outcome

    def _cycle(self) -> Outcome:
        try:
            return self._cycle_once()
        except SQLAlchemyError as exc:
            if not (self._migrated and schema_missing(exc)):
                raise
        # The tables went away under us: the database was emptied or replaced by an empty one
        # (a restore gone wrong, a dropped database, a deleted SQLite file). Build it again.
        log.warning("the database has no promptsync tables any more (emptied or replaced?): "
                    "migrating it and loading %s again", self.ref)
        self._migrated = False
        return self._cycle_once()

    def _cycle_once(self) -> Outcome:
        if not self._migrated:  # here, not at start: a database down at start is retried too
            upgrade(self.engine)
            if self.notifier is not None:
                self.notifier.register()  # before the first event it should get is written
            self._migrated = True
        self._refresh()
        # Redis first: one ahead of the database (a restored database) must be rebuilt before
        # this cycle's commit raises the database back to Redis's number and masks it. The
        # state read for it is also the first attempt's (read before the ref, as it must be).
        state = read_state(self.engine)
        healed = self.heal_cache(state)
        outcome = self._follow(state)
        if outcome.status not in ("applied", "unchanged"):  # those published just now
            outcome.cache_ok = healed
        return outcome

    def _follow(self, state: PublishedState) -> Outcome:
        """Plan and apply the ref's commit, again while other writers move the state."""
        fetched_for: str | None = None
        for attempt in range(PLAN_ATTEMPTS):
            with self.source.reading() as repo:
                # State first, ref second: whatever commit another daemon published, it resolved
                # it before we read the state, so our ref is at least as new (a mirror once
                # fetched after reading that state).
                if attempt:
                    state = read_state(self.engine)
                target = repo.resolve(self.ref)
                checkpoint("resolved")
                if state.commit == target:
                    return self._current(state)
                if (self.source.remote and fetched_for != state.commit
                        and _looks_stale(repo, state, target)):
                    # Our mirror may lag the daemon that published `state`; on every attempt,
                    # a lost compare-and-set included: it is what brought the newer state.
                    fetched_for = state.commit
                    self._refresh()
                    continue
                if _is_behind(repo, state, target):
                    return self.refusals.behind(state, target)
                outcome = self._try_apply(repo, state, target)
            if outcome is not None:
                return outcome
        # Not an outage: the servers answered, other writers were faster. Soon again, at a
        # random moment, so two contending daemons fall out of step.
        return Outcome("contended", reason=f"sync_state kept moving under us: another writer "
                       f"published first on each of {PLAN_ATTEMPTS} attempts; following it "
                       "next cycle", retry_in=random.uniform(*CONTENDED_RETRY))

    def _try_apply(self, repo: GitRepository, state: PublishedState,
                   target: str) -> Outcome | None:
        started_at = datetime.now(UTC)
        known = self.refusals.known(state, target)
        if known is not None:
            return known
        early = self._early_load(repo, state, target)
        try:
            return self._check_and_apply(repo, state, target, started_at, early)
        finally:
            if early is not None:
                early.close()  # rolls back what it wrote unless it committed

    def _early_load(self, repo: GitRepository, state: PublishedState,
                    target: str) -> FirstLoad | None:
        """For a first load of PostgreSQL, rows that go out while the pool checks (COPY there
        took 0.5-1 s of 10,000 prompts' load, 6-10 s of 100,000's, after the check). SQLite keeps
        the one write after the check: its transaction would hold the database's only write lock
        for the whole validation. A Checker that hands no prompt on leaves it empty, and an
        empty early load never `matches`: the ordinary write follows."""
        if state.commit is not None or not is_postgresql(self.engine):
            return None
        return first_load(self.engine, repo, state, target)

    def _check_and_apply(self, repo: GitRepository, state: PublishedState, target: str,
                         started_at: datetime, early: FirstLoad | None) -> Outcome | None:
        verdict = self.gate.check(repo, state.commit, target,
                                  lambda: live_count(self.engine) > 0,
                                  None if early is None else early.add)
        checkpoint("validated")
        self._checked_whole_tree |= not verdict.incremental
        if verdict.errors:
            if early is not None:
                early.close()  # nothing of it is kept, and its lock goes before the refusal
            return self.refusals.invalid(state, target, verdict.errors, started_at,
                                         verdict.findings)
        changes = plan(repo, state, target, verdict.prompts, lambda: live_prompts(self.engine),
                       verdict.brands)
        try:
            if early is not None and early.matches(changes):
                result = early.finish(changes, checkpoint, started_at, _published)
            else:
                if early is not None:
                    early.close()
                result = apply_changes(self.engine, changes, checkpoint, started_at, _published)
        except StateMoved as exc:
            log.info("another writer moved the database first (%s); planning again", exc)
            return None
        except (OperationalError, InterfaceError):
            raise  # the database went away: nothing to record it in; retried with backoff
        except SQLAlchemyError as exc:
            return self.refusals.refused(state, target, f"database: {first_line(exc)}",
                                         started_at)
        checkpoint("committed")
        meta, from_commit = changes.commit, changes.from_commit
        # After a whole tree, every document is in these two: what the daemon holds from here
        # on is what it keeps, and the system gets the rest back before the readers are told.
        del verdict, changes
        self._give_back()
        return self._applied(meta, from_commit, result)

    def _give_back(self) -> None:
        if self._checked_whole_tree:
            self._checked_whole_tree = False
            give_back_freed()

    def _applied(self, meta: CommitMeta, from_commit: str | None,
                 result: ApplyResult) -> Outcome:
        # Through heal_cache, not with this commit's ids alone: if an earlier invalidation was
        # lost, this event must also name what that one changed (readers' memory tiers).
        cache_ok = self.heal_cache(PublishedState(meta.sha, result.generation))
        checkpoint("invalidated")
        if cache_ok:
            lag = (datetime.now(UTC) - meta.committed_at).total_seconds()
            self.metrics.merge_to_live.observe(max(lag, 0.0))
        return Outcome("applied" if result.touched else "unchanged", meta.sha, from_commit,
                       result.generation, result.created, result.updated, result.deleted,
                       cache_ok=cache_ok)

    def _current(self, state: PublishedState) -> Outcome:
        return Outcome("current", state.commit, state.commit, state.generation)

    def heal_cache(self, state: PublishedState | None = None) -> bool:
        """Bring Redis to the database's generation (either way); False while it cannot."""
        return self.cache.heal(state or read_state(self.engine))

    def _refresh(self) -> None:
        if self.source.remote:
            self.metrics.git_requests.labels("fetch").inc()
        self.source.refresh()

    def _report(self, outcome: Outcome) -> None:
        m = self.metrics
        m.reconcile.observe(outcome.duration)
        if outcome.generation is not None:
            m.generation.set(outcome.generation)
        m.cycle_done(working=outcome.status not in UNREACHABLE_STATUSES,
                     good=outcome.status in OK_STATUSES)
        m.runs.labels(outcome.status).inc()
        # A failing cycle's cause is logged once by the FaultLog, not once per retry.
        quiet = outcome.status in ("current", "unreachable", "error")
        if quiet or outcome.quiet:
            log.debug("%s", outcome.log_line())
            return
        level = (logging.INFO if outcome.exit_code == 0 or outcome.status == "contended"
                 else logging.WARNING)
        log.log(level, "%s", outcome.log_line())


def _published(changes: ChangeSet, result: ApplyResult, now: datetime) -> Event | None:
    """The outbox's `published` event for an applied commit (none when no prompt changed)."""
    if not result.touched:
        return None
    meta = changes.commit
    return events.published(meta.sha, changes.from_commit, result.generation, meta.author,
                            meta.message, result.changed, now)


def _looks_stale(repo: GitRepository, state: PublishedState, target: str) -> bool:
    """The database holds a commit we do not know, or one our ref is behind."""
    if state.commit is None:
        return False
    return not repo.has_commit(state.commit) or repo.is_ancestor(target, state.commit)


def _is_behind(repo: GitRepository, state: PublishedState, target: str) -> bool:
    """`target` is an ancestor of the published commit (known to us)."""
    if state.commit is None or not repo.has_commit(state.commit):
        return False
    return repo.is_ancestor(target, state.commit)
