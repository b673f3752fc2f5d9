"""What the README's commands leave in a fresh clone is ignored by git: the embedded database
with SQLite's write-ahead log and shared memory, the keys file and its lock."""

from __future__ import annotations

from pathlib import Path

from tests.readme.fresh_clone import fresh_clone, git, promptsync

LEFT_BEHIND = ("promptsync.db", "promptsync.db-wal", "promptsync.db-shm",
               "promptsync-keys.json", "promptsync-keys.json.lock")


def test_the_files_the_commands_leave_are_ignored(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    assert promptsync(clone, "sync", "--repo", ".", "--once").returncode == 0
    assert promptsync(clone, "keys", "add", "ada", "--scope", "read", "--all-brands",
                      ).returncode == 0
    assert promptsync(clone, "status").returncode == 0
    assert git("status", "--porcelain", cwd=clone) == ""
    # SQLite removes its -wal and -shm when the last connection closes cleanly; a daemon
    # that is running (or was killed) leaves them, so each name is asked of git directly.
    for name in LEFT_BEHIND:
        (clone / name).touch()
    assert git("check-ignore", *LEFT_BEHIND, cwd=clone).split() == list(LEFT_BEHIND)
    assert git("status", "--porcelain", cwd=clone) == ""
