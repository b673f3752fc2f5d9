"""A commit the database refuses is recorded as failed once, with its reason, and retried on a
capped exponential schedule, not once a second forever; the next commit is not held up."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from promptsync.daemon.retry import RETRY_CAP
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptId, PromptType
from promptsync.store.engine import make_engine
from promptsync.validate import Report, Validator
from tests.daemon.helpers import bump_greeting, runs, state
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(120)
GREETING = PromptId("northwind", PromptType.GREETING)


class NulValidator(Validator):
    """The real validator, then a NUL byte in a greeting that says "poison": validation rejects
    control characters in a file, so this puts one past it and PostgreSQL is what refuses."""

    calls = 0

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        self.calls += 1
        report = super().validate(*args, **kwargs)
        doc = report.prompts.get(GREETING)
        if doc is not None and "poison" in doc.template:
            report.prompts[GREETING] = dataclasses.replace(doc, template=doc.template + "\x00")
        return report


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_commit_the_database_refuses_is_recorded_once_and_retried_with_backoff(
        prompt_repo: GitRepo, pg_url: str) -> None:
    validator, clock = NulValidator(), Clock()
    engine = make_engine(pg_url)
    syncer = Syncer(GitSource(str(prompt_repo.path)), "main", engine, None,
                    validator=validator, clock=clock)
    try:
        assert syncer.cycle().status == "applied"
        refused = bump_greeting(prompt_repo, "poison")
        attempts = []
        for _ in range(70):  # 70 s of a daemon cycling every second
            before = validator.calls
            outcome = syncer.cycle()
            assert outcome.status == "failed" and "NUL" in outcome.reason
            if validator.calls > before:
                attempts.append(clock.now)
            clock.now += 1.0
        gaps = [b - a for a, b in itertools.pairwise(attempts)]
        assert gaps == [1, 2, 4, 8, 16, 32]  # backing off, where it retried every second
        clock.now += RETRY_CAP  # and the back-off is capped
        before = validator.calls
        assert syncer.cycle().status == "failed" and validator.calls == before + 1
        failed = [r for r in runs(pg_url) if r["status"] == "failed"]
        assert len(failed) == 1 and failed[0]["to_commit"] == refused
        assert "NUL" in failed[0]["error"]
        prompt_repo.bump("prompts/northwind/greeting.yaml", " poison", "")
        fixed = prompt_repo.commit("Without the NUL")  # the next commit goes at once
        assert syncer.cycle().status == "applied" and state(pg_url) == (fixed, 2)
    finally:
        engine.dispose()


def test_a_restarted_daemon_does_not_record_the_same_refusal_again(prompt_repo: GitRepo,
                                                                  pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        Syncer(GitSource(str(prompt_repo.path)), "main", engine, None).cycle()
        bump_greeting(prompt_repo, "poison")
        for _ in range(3):  # three daemons (or three `sync --once`) in a row
            syncer = Syncer(GitSource(str(prompt_repo.path)), "main", engine, None,
                            validator=NulValidator())
            assert syncer.cycle().status == "failed"
        assert [r["status"] for r in runs(pg_url)] == ["applied", "failed"]
    finally:
        engine.dispose()
