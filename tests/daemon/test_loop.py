"""The watching daemon: a commit on a local repository or a remote URL goes live by itself."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from promptsync.validate import Report, Validator
from tests.daemon.helpers import (
    RunningDaemon,
    break_greeting,
    bump_greeting,
    redis_gen,
    runs,
    state,
    wait_until,
)
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(60)


def test_a_commit_on_a_watched_repository_goes_live(prompt_repo: GitRepo, db_url: str,
                                                    redis_url: str) -> None:
    # interval 30 s: only the watcher can make the commit live within the wait below
    with RunningDaemon(str(prompt_repo.path), db_url, redis_url, interval=30) as d:
        wait_until(lambda: state(db_url)[0] == prompt_repo.head())
        head = bump_greeting(prompt_repo, "trail")
        wait_until(lambda: state(db_url) == (head, 2) and redis_gen(redis_url) == 2, timeout=8)
    assert d.cycles >= 2


def test_a_burst_of_commits_is_applied_as_the_newest(prompt_repo: GitRepo,
                                                     sqlite_url: str) -> None:
    for word in ("a", "b", "c", "d", "e"):
        bump_greeting(prompt_repo, word)
    with RunningDaemon(str(prompt_repo.path), sqlite_url, interval=30):
        wait_until(lambda: state(sqlite_url)[0] == prompt_repo.head())
    [run] = runs(sqlite_url)
    assert (run["from_commit"], run["to_commit"]) == (None, prompt_repo.head())
    assert state(sqlite_url) == (prompt_repo.head(), 1)  # one generation: nothing in between


def test_a_rejected_commit_is_not_retried_and_the_next_good_one_applies(
        prompt_repo: GitRepo, sqlite_url: str) -> None:
    with RunningDaemon(str(prompt_repo.path), sqlite_url, interval=0.05) as d:
        wait_until(lambda: state(sqlite_url)[0] == prompt_repo.head())
        good = prompt_repo.head()
        bad = break_greeting(prompt_repo, "Break it")
        wait_until(lambda: any(r["to_commit"] == bad for r in runs(sqlite_url)))
        seen = d.daemon.cycles
        wait_until(lambda: d.daemon.cycles > seen + 5)  # it keeps cycling on the bad head
        assert state(sqlite_url)[0] == good
        prompt_repo.git("reset", "-q", "--hard", good)
        fixed = bump_greeting(prompt_repo, "fixed")
        wait_until(lambda: state(sqlite_url)[0] == fixed)
    assert [r["status"] for r in runs(sqlite_url)] == ["applied", "rejected", "applied"]


def test_a_remote_url_is_mirrored_and_fetched(prompt_repo: GitRepo, sqlite_url: str,
                                              tmp_path: Path) -> None:
    url = f"file://{prompt_repo.path}"
    cache = tmp_path / "mirrors"
    with RunningDaemon(url, sqlite_url, interval=0.1, cache_dir=cache) as d:
        wait_until(lambda: state(sqlite_url)[0] == prompt_repo.head())
        head = bump_greeting(prompt_repo, "trail")
        wait_until(lambda: state(sqlite_url)[0] == head)
        prompt_repo.git("reset", "-q", "--hard", "HEAD~1")  # force-push another history
        prompt_repo.remove("prompts/northwind/handoff.yaml")
        other = prompt_repo.commit("Another history")
        wait_until(lambda: state(sqlite_url)[0] == other)
    assert len(list(cache.glob("*.git"))) == 1
    assert d.syncer.source.fetches >= 3
    assert runs(sqlite_url)[-1]["status"] == "applied"


class BuggyOnceValidator(Validator):
    """The real validator, except that its first call raises what no handler foresaw."""

    calls = 0

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("a bug in a check")
        return super().validate(*args, **kwargs)


def test_a_bug_in_a_cycle_is_logged_once_and_retried_not_fatal(
        prompt_repo: GitRepo, sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with RunningDaemon(str(prompt_repo.path), sqlite_url, interval=0.05,
                       validator=BuggyOnceValidator()) as d:
        wait_until(lambda: state(sqlite_url)[0] == prompt_repo.head())
        assert d.thread.is_alive()
    [logged] = [r for r in caplog.records if "a bug in a check" in r.getMessage()]
    assert logged.exc_info is not None  # the traceback, once
    errors = d.syncer.metrics.errors.labels("bug", "RuntimeError")
    assert errors._value.get() == 1


class OutOfDescriptorsOnceValidator(Validator):
    """The real validator, except that its first call meets what a process out of file
    descriptors meets (issue 13.2: EMFILE used to end the daemon with exit 3)."""

    calls = 0

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        self.calls += 1
        if self.calls == 1:
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))
        return super().validate(*args, **kwargs)


def test_an_os_error_in_a_cycle_is_counted_and_retried_not_fatal(
        prompt_repo: GitRepo, sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with RunningDaemon(str(prompt_repo.path), sqlite_url, interval=0.05,
                       validator=OutOfDescriptorsOnceValidator()) as d:
        wait_until(lambda: state(sqlite_url)[0] == prompt_repo.head())
        assert d.thread.is_alive()
    assert [r for r in caplog.records if "Too many open files" in r.getMessage()]
    assert d.syncer.metrics.errors.labels("os", "EMFILE")._value.get() == 1


class CountingValidator(Validator):
    calls = 0

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        self.calls += 1
        return super().validate(*args, **kwargs)


def test_rejected_heads_are_remembered_in_bounded_memory_and_found_again_in_the_database(
        prompt_repo: GitRepo, sqlite_url: str) -> None:
    from promptsync.daemon.source import GitSource
    from promptsync.daemon.syncer import Syncer
    from promptsync.lru import LRU
    from promptsync.store.engine import make_engine

    validator = CountingValidator()
    syncer = Syncer(GitSource(str(prompt_repo.path)), "main", make_engine(sqlite_url), None,
                    validator=validator)
    syncer.refusals.rejected = LRU(1)
    try:
        good = prompt_repo.head()
        assert syncer.cycle().status == "applied"
        first = break_greeting(prompt_repo, "Break it once")
        assert syncer.cycle().status == "rejected"
        prompt_repo.git("reset", "-q", "--hard", good)
        break_greeting(prompt_repo, "Break it another way")
        assert syncer.cycle().status == "rejected"  # pushes the first out of memory
        assert len(syncer.refusals.rejected) == 1
        prompt_repo.git("reset", "-q", "--hard", first)
        calls = validator.calls
        outcome = syncer.cycle()
        assert (outcome.status, outcome.reason) == ("rejected", "already rejected")
        assert validator.calls == calls  # found in sync_runs, not validated again
    finally:
        syncer.engine.dispose()
