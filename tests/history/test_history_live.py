"""`history --db URL`: when each change went live, from the sync_runs table (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from promptsync.cli.main import main
from promptsync.store.models import Base, SyncRunRow
from tests.support.editing import GREETING, cli
from tests.support.gitrepo import GitRepo


def at(hour: int) -> datetime:
    return datetime(2026, 11, 24, hour, 0, tzinfo=UTC)


def record_runs(db_url: str, runs: list[tuple[str, str, datetime]]) -> None:
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        for to_commit, status, finished in runs:
            session.add(SyncRunRow(to_commit=to_commit, status=status, started_at=finished,
                                   finished_at=finished))
    engine.dispose()


@pytest.mark.timeout(120)
def test_each_change_shows_the_first_applied_run_that_contains_it(
        prompt_repo: GitRepo, db_url: str, capsys) -> None:
    first = prompt_repo.head()
    prompt_repo.bump(GREETING, "How can I help you today?", "What can I do for you?")
    second = prompt_repo.commit("Ask what we can do")
    prompt_repo.bump(GREETING, "What can I do for you?", "How may I help?")
    third = prompt_repo.commit("Shorter question")
    prompt_repo.bump(GREETING, "How may I help?", "Hello!")
    fourth = prompt_repo.commit("Not synced yet")
    # A run for a commit this clone never saw must not break anything.
    record_runs(db_url, [(first, "applied", at(9)), (second, "rejected", at(10)),
                         ("f" * 40, "applied", at(10)), (third, "applied", at(11)),
                         (third, "unchanged", at(12))])

    assert main(["history", "default/greeting", "--repo", str(prompt_repo.path),
                 "--db", db_url, "--format", "json"]) == 0
    live = {e["commit"]: e["live_at"] for e in json.loads(capsys.readouterr().out)}
    assert live == {first: at(9).isoformat(), second: at(11).isoformat(),
                    third: at(11).isoformat(), fourth: None}

    assert main(["history", "default/greeting", "--repo", str(prompt_repo.path),
                 "--db", db_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "not live" in lines[0] and "live 2026-11-24 11:00" in lines[1]


@pytest.mark.timeout(60)
def test_unreachable_database_is_one_line_without_the_password(prompt_repo: GitRepo) -> None:
    proc = cli("history", "--repo", str(prompt_repo.path),
               "--db", "postgresql+psycopg://ed:s3cret@127.0.0.1:1/nowhere")
    assert proc.returncode == 2
    assert "could not read sync_runs" in proc.stderr and "s3cret" not in proc.stderr
    assert "Traceback" not in proc.stderr
