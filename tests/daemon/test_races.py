"""Two daemons following one git URL, each with its own mirror, racing on one database: the
database never moves back to an ancestor of the commit it holds, whatever the timing."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from promptsync.daemon.outcome import Outcome
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.store.engine import make_engine
from promptsync.validate import Report, Validator
from tests.daemon.helpers import bump_greeting, live, runs, state, versions
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(90)


class HeldValidator(Validator):
    """The real validator; once armed, its next call waits until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.entered, self.release = threading.Event(), threading.Event()

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        if self.armed:
            self.armed = False
            self.entered.set()
            assert self.release.wait(60), "the test never released the validation"
        return super().validate(*args, **kwargs)


def published_origin(repo: GitRepo, tmp_path: Path) -> str:
    """A bare repository the working repository pushes to: the URL both daemons follow."""
    origin = tmp_path / "origin.git"
    GitRepo(tmp_path).git("init", "-q", "--bare", "-b", "main", str(origin))
    repo.git("remote", "add", "origin", str(origin))
    repo.git("push", "-q", "origin", "main")
    return f"file://{origin}"


def test_a_daemon_whose_compare_and_set_lost_never_applies_its_older_commit(
        prompt_repo: GitRepo, db_url: str, tmp_path: Path) -> None:
    url = published_origin(prompt_repo, tmp_path)
    held = HeldValidator()
    slow = Syncer(GitSource(url, tmp_path / "mirrors-a"), "main", make_engine(db_url), None,
                  validator=held)
    fast = Syncer(GitSource(url, tmp_path / "mirrors-b"), "main", make_engine(db_url), None)
    try:
        c1 = prompt_repo.head()
        assert slow.cycle().status == "applied" and fast.cycle().status == "current"
        c2 = bump_greeting(prompt_repo, "two")
        prompt_repo.git("push", "-q", "origin", "main")
        held.armed = True
        result: list[Outcome] = []
        racing = threading.Thread(target=lambda: result.append(slow.cycle()))
        racing.start()  # fetches c2 into its mirror, then validates it slowly
        assert held.entered.wait(30)
        c3 = bump_greeting(prompt_repo, "three")
        prompt_repo.git("push", "-q", "origin", "main")
        assert fast.cycle().status == "applied"  # c3 lands while the slow one holds c2
        held.release.set()
        racing.join(30)
        assert state(db_url) == (c3, 2)
        assert slow.cycle().status == "current" and fast.cycle().status == "current"
    finally:
        held.release.set()
        slow.engine.dispose()
        fast.engine.dispose()
    assert [r["to_commit"] for r in runs(db_url) if r["status"] == "applied"] == [c1, c3]
    assert c2 not in {v["commit_sha"] for v in versions(db_url)}
    assert "rollback" not in {v["action"] for v in versions(db_url)}
    assert live(db_url)["northwind/greeting"] == (3, c3)
    assert result and result[0].status != "applied"


class Contended(Syncer):
    """A syncer whose every attempt loses the compare-and-set: before it applies, another
    writer moves sync_state (a real UPDATE of the real table), as a second daemon would."""

    def _try_apply(self, repo: Any, state: Any, target: str) -> Outcome | None:
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE sync_state SET generation = generation + 1 WHERE id = 1"))
        return super()._try_apply(repo, state, target)


def test_losing_to_other_writers_is_contention_not_an_outage(
        prompt_repo: GitRepo, db_url: str, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    # Issue 18: "sync_state kept moving" counted as unreachable, unlogged; three in a row
    # failed /healthz, as if the database were down.
    first = Syncer(GitSource(str(prompt_repo.path), tmp_path / "m"), "main", make_engine(db_url),
                   None)
    assert first.cycle().status == "applied"
    first.engine.dispose()
    bump_greeting(prompt_repo, "two")
    contended = Contended(GitSource(str(prompt_repo.path), tmp_path / "m"), "main",
                          make_engine(db_url), None)
    try:
        with caplog.at_level(logging.INFO, logger="promptsync"):
            outcomes = [contended.cycle() for _ in range(4)]
    finally:
        contended.engine.dispose()
    assert {o.status for o in outcomes} == {"contended"}
    assert all(o.retry_in is not None and o.retry_in < 1 for o in outcomes)
    assert contended.metrics.healthy()
    said = [r for r in caplog.records if "kept moving" in r.getMessage()]
    assert said and all(r.levelno == logging.INFO for r in said)
