"""The command line: every command listed, the shared options alike in each, a command loads
only what it needs, and a command that only reads never creates a database."""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

import pytest

from promptsync.cli.main import COMMANDS, build_parser, main, parse
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


def test_each_command_keeps_its_own_options(capsys: pytest.CaptureFixture[str]) -> None:
    for name in COMMANDS:
        with pytest.raises(SystemExit) as stop:
            main([name, "--help"])
        assert stop.value.code == 0
        assert f"usage: promptsync {name}" in capsys.readouterr().out


def test_promptsync_alone_prints_the_help_and_exits_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "promptsync"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert proc.stdout.startswith("usage: promptsync [-h] [--version]")
    assert all(summary in proc.stdout for summary in COMMANDS.values())


def test_version_is_the_installed_package_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "promptsync", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, f"promptsync {version('promptsync')}\n")


def test_verbose_and_traceback_count_after_the_command_too() -> None:
    args = parse(["-v", "sync", "-vv", "--traceback", "--once"])
    assert (args.command, args.verbose, args.traceback) == ("sync", 3, True)
    args = parse(["status", "-v"])
    assert (args.verbose, args.traceback) == (1, False)


# Shared options that mean something else in one command, on purpose.
ON_PURPOSE = {
    ("sync", "--repo"): "the daemon also follows a git URL (--repo PATH_OR_URL)",
    ("serve", "--repo"): "the API also serves and pushes to a git URL (--repo PATH_OR_URL)",
    ("history", "--db"): "no default: live times are shown only when a database is named",
    ("sync", "--ref"): "the branch the daemon follows, not a revision to read (--ref BRANCH)",
    ("serve", "--ref"): "the branch the daemon follows, not a revision to read (--ref BRANCH)",
    ("fleet", "--db"): "no default: judged against Redis's generation unless a database is named",
}
SHARED = {  # option -> the commands that must have it
    "--repo": {"validate", "preview", "history", "rollback", "coverage"},
    "--db": {"sync", "status", "serve", "notifications"},
    "--redis": {"sync", "serve", "fleet"},
    "--ref": {"preview", "coverage"},
    "--format": {"validate", "preview", "history", "status", "coverage", "fleet",
                 "notifications"},
    "--notify": {"sync", "serve"},
    "--notify-format": {"sync", "serve"},
    "--verbose": set(COMMANDS),
    "--traceback": set(COMMANDS),
}


def _sub_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(found[0].choices)


def test_a_shared_option_has_the_same_metavar_help_and_default_in_every_command() -> None:
    seen: dict[str, dict[str, tuple[object, ...]]] = defaultdict(dict)
    for name, sub in _sub_parsers().items():
        for action in sub._actions:
            for flag in set(action.option_strings) & set(SHARED):
                if (name, flag) not in ON_PURPOSE:
                    seen[flag][name] = (action.metavar, action.help, action.default,
                                        action.nargs, type(action).__name__)
    for flag, commands in SHARED.items():
        assert set(seen[flag]) == commands, flag
        assert len(set(seen[flag].values())) == 1, (flag, seen[flag])
    daemons = {name: [(a.metavar, a.help) for a in sub._actions if "--ref" in a.option_strings]
               for name, sub in _sub_parsers().items() if name in ("sync", "serve")}
    assert daemons["sync"] == daemons["serve"]


def test_format_shows_its_choices_and_default(capsys: pytest.CaptureFixture[str]) -> None:
    for name in SHARED["--format"]:
        with pytest.raises(SystemExit):
            main([name, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert re.search(r"--format \{text,[a-z,]+\} output format \(default: text\)", text), name


def test_validate_does_not_load_the_database_or_daemon_code() -> None:
    # A pre-commit hook runs validate on every commit; SQLAlchemy and the daemon are not its.
    proc = run("import sys",
               "from promptsync.cli.main import main",
               "code = main(['validate', '--repo', '.', '--no-cache'])",
               "heavy = [m for m in ('sqlalchemy', 'promptsync.daemon.loop', 'redis')",
               "         if m in sys.modules]",
               "print(code, heavy)")
    assert proc.stdout.splitlines()[-1] == "0 []", proc.stdout + proc.stderr


def test_the_dispatcher_and_shared_options_load_neither_git_nor_the_package_metadata() -> None:
    # Every command, the pre-commit hook's `validate` first, starts with these two modules;
    # GitPython and the package metadata (only --version needs it) are some commands' own.
    proc = run("import sys",
               "from promptsync.cli.main import parse",
               "import promptsync.cli.options",
               "parse(['-v'])",
               "print([m for m in ('git', 'importlib.metadata', 'sqlalchemy', 'jinja2')",
               "       if m in sys.modules])")
    assert proc.stdout.splitlines()[-1] == "[]", proc.stdout + proc.stderr


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
