"""A first load of PostgreSQL writes its rows while the commit is validated, in the transaction
that publishes it (store.apply.FirstLoad): what it commits is what the ordinary path commits,
an invalid commit leaves nothing, a verdict other than what was written is applied the
ordinary way, and a SIGKILL before the commit leaves the database empty (real git, real
PostgreSQL, a real daemon process)."""

from __future__ import annotations

import dataclasses
import json
import signal
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine

from promptsync.daemon.checkpoint import PAUSE_ENV
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptId, PromptType
from promptsync.store import apply
from promptsync.store.apply import ADVISORY_LOCK_KEY
from promptsync.store.engine import make_engine
from promptsync.tree import SourceFile
from promptsync.validate import Report, Validator
from promptsync.validate.translations import BaseHistory
from promptsync.validate.validator import OnPrompt
from promptsync.validate.version_check import BaseVersion
from tests.daemon.helpers import break_greeting, live, query, state, sync_once, tree_versions
from tests.daemon.process import DaemonProcess
from tests.support.gitrepo import GitRepo
from tests.support.servers import PostgresServer

pytestmark = pytest.mark.timeout(120)
GREETING = PromptId("northwind", PromptType.GREETING)
# What differs between two loads of one commit: row ids and the moment of the load.
MOMENTS = {"id", "synced_at", "started_at", "finished_at", "created_at", "live_at"}


class _Wrapped:
    """The validator behind a Checker that hands no prompt on while it checks: the daemon loads
    it the ordinary way (after the verdict, one transaction)."""

    def __init__(self) -> None:
        self.inner = Validator(workers=1)

    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, BaseVersion] | None = None, *,
                 whole_tree: bool = True, history: BaseHistory | None = None,
                 on_prompt: OnPrompt | None = None) -> Report:
        return self.inner.validate(files, base, whole_tree=whole_tree, history=history)


class _Retouched(Validator):
    """The real validator, then northwind's greeting changed in the report: the verdict is not
    what was handed on while the files were checked."""

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        report = super().validate(*args, **kwargs)
        doc = report.prompts[GREETING]
        report.prompts[GREETING] = dataclasses.replace(doc, template="Retouched.")
        return report


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    made = make_engine(pg_url)
    try:
        yield made
    finally:
        made.dispose()


def _load(repo: GitRepo, engine: Engine, validator: Any) -> str:
    syncer = Syncer(GitSource(str(repo.path)), "main", engine, None, validator=validator)
    return syncer.cycle().status


def _tables(url: str) -> dict[str, Any]:
    def rows(sql: str) -> list[dict[str, Any]]:
        found = [{k: _without_moments(v) for k, v in r.items() if k not in MOMENTS}
                 for r in query(url, sql)]
        return sorted(found, key=repr)

    return {"prompts": rows("SELECT * FROM prompts"),
            "versions": rows("SELECT * FROM prompt_versions"),
            "state": rows("SELECT commit_sha, generation FROM sync_state"),
            "runs": rows("SELECT * FROM sync_runs"),
            "outbox": [{"event": r["event"], "body": _without_moments(json.loads(r["body"]))}
                       for r in query(url, "SELECT event, body FROM notifications")]}


def _without_moments(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_moments(v) for k, v in value.items() if k not in MOMENTS}
    return value


def _advisory_locks(url: str) -> int:
    return len(query(url, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                          "AND (classid::bigint << 32) + objid::bigint = :key",
                     key=ADVISORY_LOCK_KEY))


def test_a_first_load_written_while_validating_commits_what_the_ordinary_path_does(
        prompt_repo: GitRepo, pg_url: str, engine: Engine, _postgres: PostgresServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    finished: list[int] = []
    real_finish = apply.FirstLoad.finish

    def finish(self: apply.FirstLoad, *args: Any, **kwargs: Any) -> Any:
        finished.append(len(self.docs))
        return real_finish(self, *args, **kwargs)

    monkeypatch.setattr(apply.FirstLoad, "finish", finish)
    assert _load(prompt_repo, engine, Validator(workers=1)) == "applied"
    assert finished == [len(tree_versions(prompt_repo))]  # every prompt, written early
    other = _postgres.take_database()
    try:
        ordinary = make_engine(other)
        try:
            assert _load(prompt_repo, ordinary, _Wrapped()) == "applied"
        finally:
            ordinary.dispose()
        assert finished == [len(tree_versions(prompt_repo))]  # not the early way
        early, plain = _tables(pg_url), _tables(other)
    finally:
        _postgres.give_back(other)
    assert early == plain
    languages = {(r["brand"], r["locale"], r["language"]) for r in early["prompts"]}
    assert ("northwind", "", "en") in languages and ("northwind", "fr", "fr") in languages


def test_an_invalid_first_load_leaves_nothing_and_lets_the_lock_go(
        prompt_repo: GitRepo, pg_url: str, engine: Engine) -> None:
    break_greeting(prompt_repo)
    assert _load(prompt_repo, engine, Validator(workers=1)) == "rejected"
    assert state(pg_url) == (None, 0) and live(pg_url) == {}
    assert _advisory_locks(pg_url) == 0
    assert [r["status"] for r in query(pg_url, "SELECT status FROM sync_runs")] == ["rejected"]


def test_a_verdict_other_than_what_was_written_is_applied_the_ordinary_way(
        prompt_repo: GitRepo, pg_url: str, engine: Engine) -> None:
    assert _load(prompt_repo, engine, _Retouched(workers=1)) == "applied"
    rows = query(pg_url, "SELECT template FROM prompts WHERE brand = 'northwind' AND "
                         "type = 'GREETING' AND locale = ''")
    assert [r["template"] for r in rows] == ["Retouched."]
    assert state(pg_url)[0] == prompt_repo.head()
    assert live(pg_url).keys() == tree_versions(prompt_repo).keys()


def test_a_first_load_killed_before_its_commit_leaves_the_database_empty(
        prompt_repo: GitRepo, pg_url: str) -> None:
    with DaemonProcess(prompt_repo, pg_url, None, "--once",
                       env={PAUSE_ENV: "validated"}) as proc:
        proc.wait_for("paused at validated", timeout=90)
        # Validated, not committed: its rows are out, in a transaction that holds the lock.
        assert _advisory_locks(pg_url) == 1
        assert live(pg_url) == {}
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL
    assert state(pg_url) == (None, 0) and live(pg_url) == {}
    assert sync_once(prompt_repo, pg_url) == 0
    assert state(pg_url) == (prompt_repo.head(), 1)
    assert {k: v for k, (v, _) in live(pg_url).items()} == tree_versions(prompt_repo)
