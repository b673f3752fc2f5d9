"""`promptsync status`: last applied and last attempted commit, text and JSON."""

from __future__ import annotations

import json

import pytest

from promptsync.cli.main import main
from tests.daemon.helpers import GREETING, break_greeting, sync_once
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(60)


def test_status_json_shows_applied_and_rejected(prompt_repo: GitRepo, db_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    good = prompt_repo.head()
    sync_once(prompt_repo, db_url)
    bad = break_greeting(prompt_repo)
    sync_once(prompt_repo, db_url)
    capsys.readouterr()
    assert main(["status", "--db", db_url, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["published"] == {"commit": good, "generation": 1}
    assert out["last_applied"]["to_commit"] == good
    assert out["last_attempted"]["to_commit"] == bad
    assert out["last_attempted"]["status"] == "rejected"
    assert f"{GREETING}:" in out["last_attempted"]["error"]


def test_status_text_names_the_reason(prompt_repo: GitRepo, sqlite_url: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    sync_once(prompt_repo, sqlite_url)
    bad = break_greeting(prompt_repo)
    sync_once(prompt_repo, sqlite_url)
    capsys.readouterr()
    assert main(["status", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert f"last attempted: {bad} rejected" in out
    assert "reason:" in out and f"  {GREETING}:" in out


def test_status_of_an_empty_database_exits_2(sqlite_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--db", sqlite_url]) == 2
    assert "run `promptsync sync` first" in capsys.readouterr().err


def test_status_of_an_unreachable_database_hides_the_password(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--db", "postgresql+psycopg://u:hunter2@127.0.0.1:9/x"]) == 2
    err = capsys.readouterr().err
    assert "hunter2" not in err and "127.0.0.1" in err


def test_status_never_creates_a_database(tmp_path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # the wrong folder: no promptsync.db here
    assert main(["status"]) == 2
    assert list(tmp_path.iterdir()) == []
    err = capsys.readouterr().err
    assert f"no promptsync database at {tmp_path / 'promptsync.db'}" in err
