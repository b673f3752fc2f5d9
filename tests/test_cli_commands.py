"""The command line lists every command, and a command loads only what it needs."""

from __future__ import annotations

import subprocess
import sys

from promptsync.cli.main import COMMANDS
from tests.support.gitrepo import PROJECT_ROOT


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
