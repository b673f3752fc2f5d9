"""The outbox is written with what it tells: `published` in the publishing transaction (not
without it), `rejected` with its findings and `failed` with the sync_runs row that records them;
and a SIGKILLed daemon leaves the outbox and the tables agreeing."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from typing import Any

import pytest

from promptsync.daemon.checkpoint import PAUSE_ENV
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.store.apply import apply_changes
from promptsync.store.changeset import ApplyResult, ChangeSet, CommitMeta
from promptsync.store.engine import make_engine
from promptsync.store.migrate import upgrade
from promptsync.store.outbox import Event
from tests.daemon.helpers import GREETING, break_greeting, bump_greeting, query, state, sync_once
from tests.daemon.process import DaemonProcess
from tests.daemon.test_refused import NulValidator
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(120)
ACME = PromptId("acme", PromptType.GREETING)


def outbox(db: str) -> list[dict[str, Any]]:
    rows = query(db, "SELECT id, event_id, event, body FROM notifications ORDER BY id")
    for row in rows:
        row["body"] = json.loads(row["body"])
    return rows


def _said(changes: ChangeSet, result: ApplyResult, now: datetime) -> Event:
    return Event("published", {"generation": result.generation, "changed": [
        str(pid) for pid, _version, _action in result.changed]})


def test_the_event_is_written_in_the_transaction_or_not_at_all(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    changes = ChangeSet(None, 0, CommitMeta("a" * 40, "Ada", datetime.now(UTC)),
                        (PromptDoc(ACME, 1, "Hi"),))

    def explode(step: str) -> None:
        if step == "before-commit":
            raise RuntimeError("crash")

    try:
        with pytest.raises(RuntimeError):
            apply_changes(engine, changes, explode, notice=_said)
        assert outbox(db_url) == [] and state(db_url) == (None, 0)
        apply_changes(engine, changes, notice=_said)
        (row,) = outbox(db_url)
        assert row["body"]["changed"] == ["acme/greeting"] and row["body"]["generation"] == 1
        assert row["body"]["id"] == row["event_id"] and row["body"]["event"] == "published"
    finally:
        engine.dispose()


def test_the_daemon_writes_published_and_rejected(prompt_repo: GitRepo, db_url: str) -> None:
    assert sync_once(prompt_repo, db_url) == 0
    (first,) = outbox(db_url)
    assert first["event"] == "published" and first["body"]["generation"] == 1
    assert {c["id"] for c in first["body"]["changed"]} >= {"northwind/greeting",
                                                           "default/greeting"}
    head = bump_greeting(prompt_repo, "new")
    assert sync_once(prompt_repo, db_url) == 0
    body = outbox(db_url)[-1]["body"]
    assert {k: body[k] for k in ("commit", "from_commit", "generation", "author", "message")} == \
        {"commit": head, "from_commit": first["body"]["commit"], "generation": 2,
         "author": "Ada Editor <ada@example.com>", "message": "Greeting: new"}
    assert body["changed"] == [{"id": "northwind/greeting", "brand": "northwind",
                                "type": "GREETING", "locale": "", "version": 2,
                                "action": "update"}]
    assert datetime.fromisoformat(body["live_at"]) <= datetime.now(UTC)

    bad = break_greeting(prompt_repo)
    assert sync_once(prompt_repo, db_url) == 1
    assert sync_once(prompt_repo, db_url) == 1  # said once, not once per cycle
    rejected = [r["body"] for r in outbox(db_url) if r["event"] == "rejected"]
    assert len(rejected) == 1 and rejected[0]["commit"] == bad
    (finding,) = rejected[0]["findings"]
    assert (finding["file"], finding["severity"]) == (GREETING, "error")
    assert finding["line"] > 1 and finding["text"].startswith(f"{GREETING}:{finding['line']}:")


def test_a_refused_commit_is_a_failed_event_once(prompt_repo: GitRepo, pg_url: str) -> None:
    engine = make_engine(pg_url)
    syncer = Syncer(GitSource(str(prompt_repo.path)), "main", engine, None,
                    validator=NulValidator())
    try:
        assert syncer.cycle().status == "applied"
        refused = bump_greeting(prompt_repo, "poison")
        assert syncer.cycle().status == "failed"
        assert syncer.cycle().status == "failed"
    finally:
        engine.dispose()
    failed = [r["body"] for r in outbox(pg_url) if r["event"] == "failed"]
    assert len(failed) == 1 and failed[0]["commit"] == refused
    assert "0x00" in failed[0]["reason"] or "NUL" in failed[0]["reason"]


@pytest.mark.parametrize(("step", "written"), [("before-commit", False), ("committed", True)])
def test_a_daemon_killed_around_the_commit_leaves_event_and_rows_agreeing(
        prompt_repo: GitRepo, sqlite_url: str, step: str, written: bool) -> None:
    assert sync_once(prompt_repo, sqlite_url) == 0
    head = bump_greeting(prompt_repo, "killed")
    with DaemonProcess(prompt_repo, sqlite_url, None, "--once", env={PAUSE_ENV: step}) as proc:
        proc.wait_for(f"paused at {step}", timeout=60)
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL
    told = [r["body"]["commit"] for r in outbox(sqlite_url) if r["event"] == "published"]
    assert (state(sqlite_url)[0] == head) is written
    assert (head in told) is written
    assert sync_once(prompt_repo, sqlite_url) == 0  # the restart applies it once, if not yet
    told = [r["body"]["commit"] for r in outbox(sqlite_url) if r["event"] == "published"]
    assert told.count(head) == 1
