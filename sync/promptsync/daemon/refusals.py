"""Commits the daemon does not apply, each recorded once in sync_runs and said once in the log.

Each is recorded with its notification (`rejected`, `failed`) in the same transaction.

- invalid: the gate rejected it; final for the same verdict key (the checks' version, the
  package's, the options), so it is not validated again on every cycle;
- behind: an ancestor of the published commit; final for that published commit;
- refused: the database would not store it; retried on a capped exponential schedule
  (retry.py), recorded once per reason, across restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from promptsync.daemon.outcome import Outcome
from promptsync.daemon.retry import RETRY_CAP, Refusal, RetrySchedule
from promptsync.lru import LRU
from promptsync.notify import events
from promptsync.store.state import PublishedState, failed_run, record_run, rejected_run
from promptsync.validate.finding import Finding

log = logging.getLogger(__name__)
REJECTED_REMEMBERED = 256


class Refusals:
    """What one daemon knows of the commits it will not (or not yet) apply."""

    def __init__(self, engine: Engine, verdict: str, clock: Callable[[], float]) -> None:
        self.engine, self.verdict = engine, verdict
        # Rejected heads seen by this process, so a bad head costs no query per cycle; bounded
        # (a long-lived daemon sees many), one pushed out is found again in sync_runs.
        self.rejected: LRU[str, bool] = LRU(REJECTED_REMEMBERED)
        self.retries = RetrySchedule(clock)

    def known(self, state: PublishedState, target: str) -> Outcome | None:
        """The outcome for a target already judged: refused and not yet due, or invalid."""
        waiting = self.retries.waiting(target)
        if waiting is not None:
            return self._refused(state, target, waiting)
        if target in self.rejected or rejected_run(self.engine, target, self.verdict):
            self.rejected.put(target, True)
            return Outcome("rejected", target, state.commit, reason="already rejected",
                           quiet=True)
        return None

    def invalid(self, state: PublishedState, target: str, errors: list[str],
                started_at: datetime, findings: Sequence[Finding] = ()) -> Outcome:
        for line in errors:
            log.warning("rejected %s: %s", target, line)
        reason = "\n".join(errors)
        record_run(self.engine, from_commit=state.commit, to_commit=target, status="rejected",
                   error=reason, started_at=started_at, verdict=self.verdict,
                   event=events.rejected(target, state.commit, findings, reason))
        self.rejected.put(target, True)
        return Outcome("rejected", target, state.commit, state.generation,
                       reason="\n".join(errors))

    def behind(self, state: PublishedState, target: str) -> Outcome:
        """The ref points at an ancestor of the published commit: never applied, whatever the
        timing (a rollback is a new commit: `git revert`, `promptsync rollback`)."""
        assert state.commit is not None
        verdict = f"behind {state.commit}"
        if rejected_run(self.engine, target, verdict) is not None:
            return Outcome("rejected", target, state.commit, state.generation,
                           reason="already rejected", quiet=True)
        reason = (f"the branch points at {target}, an ancestor of the published commit "
                  f"{state.commit}: not applied (to roll back, publish a new commit: git revert "
                  "or promptsync rollback)")
        record_run(self.engine, from_commit=state.commit, to_commit=target, status="rejected",
                   error=reason, started_at=datetime.now(UTC), verdict=verdict,
                   event=events.rejected(target, state.commit, (), reason))
        return Outcome("rejected", target, state.commit, state.generation, reason=reason)

    def refused(self, state: PublishedState, target: str, reason: str,
                started_at: datetime) -> Outcome:
        """The database refused the transaction (not a lost connection): record it once, with
        its reason, and try again later and later (capped)."""
        refusal = self.retries.refused(target, reason)
        try:
            new = failed_run(self.engine, target, reason) is None  # once, across restarts
            if new:
                record_run(self.engine, from_commit=state.commit, to_commit=target,
                           status="failed", error=reason, started_at=started_at,
                           event=events.failed(target, state.commit, reason))
        except SQLAlchemyError:
            log.debug("could not record the failed run either", exc_info=True)
            new = refusal.attempts == 1
        if new:
            log.warning("the database refused %s: %s; trying again in %.0f s, then less and "
                        "less often (at most every %.0f s)", target, reason,
                        self.retries.retry_in(refusal), RETRY_CAP)
        return self._refused(state, target, refusal)

    def _refused(self, state: PublishedState, target: str, refusal: Refusal) -> Outcome:
        """Said once when recorded; each cycle after that only reports it (quietly)."""
        return Outcome("failed", target, state.commit, state.generation, reason=refusal.reason,
                       retry_in=self.retries.retry_in(refusal), quiet=True)
