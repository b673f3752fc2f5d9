"""The command line lists every command, and a command loads only what it needs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from promptsync.cli.main import COMMANDS, main
from tests.support.gitrepo import PROJECT_ROOT, GitRepo


def run(*code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "\n".join(code)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60)


def test_help_lists_every_command_with_its_summary() -> None:
    proc = subprocess.run([sys.executable, "-m", "promptsync", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    for name, summary in COMMANDS.items():
        assert name in proc.stdout and summary in proc.stdout


def test_each_command_keeps_its_own_options() -> None:
    for name in COMMANDS:
        proc = subprocess.run([sys.executable, "-m", "promptsync", name, "--help"],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert f"usage: promptsync {name}" in proc.stdout


def test_validate_does_not_load_the_database_or_daemon_code() -> None:
    # A pre-commit hook runs validate on every commit; SQLAlchemy and the daemon are not its.
    proc = run("import sys",
               "from promptsync.cli.main import main",
               "code = main(['validate', '--repo', '.', '--no-cache'])",
               "heavy = [m for m in ('sqlalchemy', 'promptsync.daemon.loop', 'redis')",
               "         if m in sys.modules]",
               "print(code, heavy)")
    assert proc.stdout.splitlines()[-1] == "0 []", proc.stdout + proc.stderr


def test_status_in_the_wrong_folder_creates_no_database(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "promptsync", "status"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == (f"promptsync status: error: no promptsync database at "
                           f"{tmp_path / 'promptsync.db'} (hint: run `promptsync sync` first, "
                           "or pass --db URL)\n")
    assert list(tmp_path.iterdir()) == []


def test_history_with_a_missing_database_creates_none(prompt_repo: GitRepo, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nothing here" / "promptsync.db"
    missing.parent.mkdir()
    assert main(["history", "--repo", str(prompt_repo.path), "--db", f"sqlite:///{missing}"]) == 2
    assert f"no promptsync database at {missing}" in capsys.readouterr().err
    assert list(missing.parent.iterdir()) == []


def test_status_leaves_a_database_it_reads_byte_for_byte_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Not promptsync's: a read that switched it to WAL (as a writer's open does) would change it.
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    before = db.read_bytes()
    assert main(["status", "--db", f"sqlite:///{db}"]) == 2
    assert "holds no promptsync tables" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]
