"""`promptsync sync --once` on real git and a real database: every kind of commit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from tests.daemon.helpers import (
    BROKEN_TEMPLATE,
    GREETING,
    HANDOFF,
    bump_greeting,
    execute,
    live,
    read_event,
    redis_gen,
    runs,
    state,
    sync_once,
    tree_versions,
    versions,
)
from tests.support.gitrepo import GitRepo, project_prompt_count

pytestmark = pytest.mark.timeout(60)


def test_first_sync_loads_every_prompt(prompt_repo: GitRepo, db_url: str) -> None:
    assert sync_once(prompt_repo, db_url) == 0
    head = prompt_repo.head()
    assert state(db_url) == (head, 1)
    assert {k: v for k, (v, _) in live(db_url).items()} == tree_versions(prompt_repo)
    assert {r["action"] for r in versions(db_url)} == {"create"}
    [run] = runs(db_url)
    assert (run["status"], run["to_commit"]) == ("applied", head)
    assert run["created"] == project_prompt_count()


def test_second_sync_of_the_same_commit_changes_nothing(prompt_repo: GitRepo,
                                                       sqlite_url: str) -> None:
    assert sync_once(prompt_repo, sqlite_url) == 0
    assert sync_once(prompt_repo, sqlite_url) == 0
    assert state(sqlite_url)[1] == 1
    assert len(runs(sqlite_url)) == 1


def test_an_edit_updates_only_that_prompt(prompt_repo: GitRepo, db_url: str) -> None:
    sync_once(prompt_repo, db_url)
    first = prompt_repo.head()
    second = bump_greeting(prompt_repo, "trail")
    assert sync_once(prompt_repo, db_url) == 0
    rows = live(db_url)
    assert rows["northwind/greeting"] == (2, second)
    assert rows["northwind/handoff"] == (1, first)  # untouched rows keep their commit
    assert versions(db_url)[-1]["action"] == "update"
    assert state(db_url) == (second, 2)
    assert runs(db_url)[-1]["from_commit"] == first


def test_a_deleted_prompt_is_deleted(prompt_repo: GitRepo, db_url: str) -> None:
    sync_once(prompt_repo, db_url)
    prompt_repo.remove(HANDOFF)
    prompt_repo.commit("Drop the northwind handoff")
    assert sync_once(prompt_repo, db_url) == 0
    assert "northwind/handoff" not in live(db_url)
    last = versions(db_url)[-1]
    assert (last["brand"], last["type"], last["action"]) == ("northwind", "HANDOFF", "delete")


def test_an_invalid_commit_is_rejected_once_and_never_loaded(
        prompt_repo: GitRepo, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    sync_once(prompt_repo, db_url)
    good = prompt_repo.head()
    text = prompt_repo.read(GREETING).split("template: |")[0] + BROKEN_TEMPLATE
    prompt_repo.write(GREETING, text.replace("version: 1", "version: 2"))
    bad = prompt_repo.commit("Break the greeting")
    assert sync_once(prompt_repo, db_url) == 1
    assert sync_once(prompt_repo, db_url) == 1  # not validated again: no second row
    assert state(db_url) == (good, 1)
    rejected = [r for r in runs(db_url) if r["status"] == "rejected"]
    assert len(rejected) == 1 and rejected[0]["to_commit"] == bad
    assert f"{GREETING}:" in rejected[0]["error"]
    assert f"{GREETING}:" in capsys.readouterr().err
    prompt_repo.write(GREETING, prompt_repo.read(GREETING).replace("{{ user_name \n",
                                                                   "{{ user_name }}\n"))
    fixed = prompt_repo.commit("Fix the greeting")
    assert sync_once(prompt_repo, db_url) == 0
    assert state(db_url) == (fixed, 2)


@pytest.mark.parametrize("change", ["empty", "readme", "schema"])
def test_a_commit_without_prompt_changes_moves_the_commit_not_the_generation(
        prompt_repo: GitRepo, db_url: str, change: str) -> None:
    sync_once(prompt_repo, db_url)
    if change == "readme":
        prompt_repo.write("README.md", "# Prompts\n")
    elif change == "schema":
        prompt_repo.write("schema/variables.yaml",
                          prompt_repo.read("schema/variables.yaml") + "\n# reviewed\n")
    head = prompt_repo.commit(f"A {change} commit", allow_empty=change == "empty")
    assert sync_once(prompt_repo, db_url) == 0
    assert state(db_url) == (head, 1)
    assert runs(db_url)[-1]["status"] == "unchanged"
    assert len(versions(db_url)) == project_prompt_count()


def test_a_revert_is_recorded_as_rollback(prompt_repo: GitRepo, db_url: str) -> None:
    sync_once(prompt_repo, db_url)
    edit = bump_greeting(prompt_repo, "trail")
    sync_once(prompt_repo, db_url)
    prompt_repo.git("revert", "--no-edit", edit)
    assert sync_once(prompt_repo, db_url) == 0
    assert live(db_url)["northwind/greeting"][0] == 1
    assert versions(db_url)[-1]["action"] == "rollback"
    assert state(db_url) == (prompt_repo.head(), 3)


def live_edit_then_reset(prompt_repo: GitRepo, db_url: str) -> str:
    """Sync the first commit and an edit of it, then reset the branch to the first: its SHA."""
    first = prompt_repo.head()
    sync_once(prompt_repo, db_url)
    bump_greeting(prompt_repo, "trail")
    sync_once(prompt_repo, db_url)
    prompt_repo.git("reset", "-q", "--hard", first)
    return first


def test_a_force_push_back_to_an_ancestor_is_never_applied(prompt_repo: GitRepo,
                                                           db_url: str) -> None:
    first = live_edit_then_reset(prompt_repo, db_url)
    edit = prompt_repo.head("HEAD@{1}")
    assert sync_once(prompt_repo, db_url) == 1  # a rollback is a new commit, not a move back
    assert state(db_url) == (edit, 2)
    assert live(db_url)["northwind/greeting"] == (2, edit)
    last = runs(db_url)[-1]
    assert (last["status"], last["to_commit"]) == ("rejected", first)
    assert "an ancestor of the published commit" in last["error"] and "revert" in last["error"]
    assert sync_once(prompt_repo, db_url) == 1
    assert len(runs(db_url)) == 3  # recorded once
    prompt_repo.bump(GREETING, "", "")
    fixed = prompt_repo.commit("Undo the edit with a new commit")
    assert sync_once(prompt_repo, db_url) == 0
    assert state(db_url) == (fixed, 3)


def test_a_force_push_to_diverged_history_applies_the_difference(prompt_repo: GitRepo,
                                                                 db_url: str) -> None:
    live_edit_then_reset(prompt_repo, db_url)
    prompt_repo.remove(HANDOFF)
    other = prompt_repo.commit("Another history")
    assert sync_once(prompt_repo, db_url) == 0
    rows = live(db_url)
    assert rows["northwind/greeting"][0] == 1 and "northwind/handoff" not in rows
    assert state(db_url)[0] == other


def test_a_renamed_brand_folder_deletes_and_creates(prompt_repo: GitRepo, db_url: str) -> None:
    sync_once(prompt_repo, db_url)
    prompt_repo.git("mv", "prompts/northwind", "prompts/northwind-outfitters")
    prompt_repo.commit("Rename the brand")
    assert sync_once(prompt_repo, db_url) == 0
    brands = {k.split("/")[0] for k in live(db_url)}
    assert "northwind" not in brands and "northwind-outfitters" in brands
    last = runs(db_url)[-1]
    moved = len(list((prompt_repo.path / "prompts/northwind-outfitters").glob("*.yaml"))) - 1
    assert moved == 12  # 4 base texts, their German and French: brand.yaml is no prompt
    assert (last["created"], last["deleted"]) == (moved, moved)


def test_allow_empty_publishes_the_very_commit_it_was_suggested_for(prompt_repo: GitRepo,
                                                                    db_url: str) -> None:
    sync_once(prompt_repo, db_url)
    prompt_repo.remove("prompts")
    empty = prompt_repo.commit("Remove everything")
    assert sync_once(prompt_repo, db_url) == 1
    assert len(live(db_url)) == project_prompt_count()
    assert "--allow-empty" in runs(db_url)[-1]["error"]
    assert sync_once(prompt_repo, db_url) == 1  # the same verdict is final: no second row
    assert len(runs(db_url)) == 2
    # The same commit, not a new one: the flag changes the verdict, so the rejection is not final.
    assert sync_once(prompt_repo, db_url, None, "--allow-empty") == 0
    assert live(db_url) == {} and state(db_url) == (empty, 2)


def test_a_rejection_by_an_older_validator_does_not_block_the_commit(prompt_repo: GitRepo,
                                                                     db_url: str) -> None:
    sync_once(prompt_repo, db_url)
    good = bump_greeting(prompt_repo, "trail")
    # A rejection written before this validator: e.g. a false positive it has since fixed.
    execute(db_url, "INSERT INTO sync_runs (from_commit, to_commit, status, created, updated, "
                    "deleted, error, started_at, finished_at) VALUES (:f, :t, 'rejected', 0, 0, "
                    "0, 'a false positive', :now, :now)",
            f=prompt_repo.head("HEAD~1"), t=good, now=datetime.now(UTC))
    assert sync_once(prompt_repo, db_url) == 0
    assert state(db_url) == (good, 2)


def test_redis_gets_the_generation_the_deletes_and_the_event(prompt_repo: GitRepo,
                                                             sqlite_url: str,
                                                             redis_url: str) -> None:
    sync_once(prompt_repo, sqlite_url, redis_url)
    assert redis_gen(redis_url) == 1
    client = redis.Redis.from_url(redis_url)
    client.set("promptsync:prompt:northwind:greeting", "{}")
    client.set("promptsync:prompt:northwind:handoff", "{}")
    client.set("promptsync:prompt:acme:farewell", "{}")  # answered by default/farewell
    pubsub = client.pubsub()
    pubsub.subscribe("promptsync:events")
    bump_greeting(prompt_repo, "trail")
    prompt_repo.bump("prompts/default/farewell.yaml", "", "")
    head = prompt_repo.commit("Two prompts")
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    assert redis_gen(redis_url) == 2
    assert client.exists("promptsync:prompt:northwind:greeting") == 0
    assert client.exists("promptsync:prompt:acme:farewell") == 0
    assert client.exists("promptsync:prompt:northwind:handoff") == 1
    event = read_event(pubsub)
    assert event == {"commit": head, "generation": 2,
                     "changed": ["default/farewell", "northwind/greeting"]}
    pubsub.close()
    client.close()


def test_unreachable_database_exits_2(prompt_repo: GitRepo,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://u:secret@127.0.0.1:9/db"
    assert sync_once(prompt_repo, url) == 2
    err = capsys.readouterr().err
    assert "database" in err and "secret" not in err


def test_unreachable_redis_exits_2_but_the_database_is_updated(prompt_repo: GitRepo,
                                                               sqlite_url: str) -> None:
    assert sync_once(prompt_repo, sqlite_url, "redis://127.0.0.1:9/0") == 2
    assert state(sqlite_url) == (prompt_repo.head(), 1)


def test_missing_repository_exits_2(tmp_path, sqlite_url: str) -> None:
    assert sync_once(str(tmp_path / "nowhere"), sqlite_url) == 2


def test_a_lost_invalidation_is_published_on_the_next_run(prompt_repo: GitRepo, sqlite_url: str,
                                                        redis_url: str) -> None:
    sync_once(prompt_repo, sqlite_url, redis_url)
    bump_greeting(prompt_repo, "trail")
    assert sync_once(prompt_repo, sqlite_url, "redis://127.0.0.1:9/0") == 2  # Redis "down"
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    pubsub.subscribe("promptsync:events")
    prompt_repo.remove(HANDOFF)
    head = prompt_repo.commit("Drop the handoff")
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    # The lost one first (the cycle repairs Redis before it applies), then this commit's.
    lost, event = read_event(pubsub), read_event(pubsub)
    assert (lost["generation"], lost["changed"]) == (2, ["northwind/greeting"])
    assert event == {"commit": head, "generation": 3, "changed": ["northwind/handoff"]}
    assert redis_gen(redis_url) == 3
    pubsub.close()
    client.close()


def test_a_fresh_redis_is_told_everything_in_words_that_fit_it(
        prompt_repo: GitRepo, sqlite_url: str, redis_url: str,
        caplog: pytest.LogCaptureFixture) -> None:
    # A database synced without Redis, then a new (empty) Redis: the daemon publishes every
    # prompt, and its log line says Redis held nothing, not "generation None (at None)".
    assert sync_once(prompt_repo, sqlite_url) == 0
    bump_greeting(prompt_repo, "trail")
    assert sync_once(prompt_repo, sqlite_url) == 0
    caplog.set_level("INFO", logger="promptsync.daemon.cache_sync")
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    [line] = [r.getMessage() for r in caplog.records if r.name.endswith("cache_sync")]
    assert "None" not in line
    assert line.startswith("redis held no generation (a new or emptied Redis); the database "
                           "is at generation 2: published every prompt")
    assert redis_gen(redis_url) == 2


def test_a_transaction_the_database_refuses_is_recorded_failed(prompt_repo: GitRepo,
                                                               sqlite_url: str) -> None:
    from sqlalchemy import create_engine, text

    sync_once(prompt_repo, sqlite_url)
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TRIGGER refuse BEFORE UPDATE ON prompts "
                          "BEGIN SELECT RAISE(ABORT, 'prompts are frozen'); END"))
    head = bump_greeting(prompt_repo, "trail")
    assert sync_once(prompt_repo, sqlite_url) == 2
    last = runs(sqlite_url)[-1]
    assert (last["status"], last["to_commit"]) == ("failed", head)
    assert "prompts are frozen" in last["error"]
    assert state(sqlite_url)[1] == 1
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse"))
    engine.dispose()
    assert sync_once(prompt_repo, sqlite_url) == 0
    assert state(sqlite_url) == (head, 2)


@pytest.mark.parametrize("args", [["--redis", "nonsense://x"], ["--db", "nonsense"],
                                  ["--interval", "0"]])
def test_bad_settings_exit_2_without_traceback(prompt_repo: GitRepo, sqlite_url: str,
                                               capsys: pytest.CaptureFixture[str],
                                               args: list[str]) -> None:
    from promptsync.cli.main import main

    assert main(["sync", "--once", "--repo", str(prompt_repo.path), "--db", sqlite_url,
                 *args]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_metrics_port_in_use_exits_2(prompt_repo: GitRepo, sqlite_url: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from promptsync.cli.main import main

    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sync", "--repo", str(prompt_repo.path), "--db", sqlite_url,
                     "--metrics-port", str(port)]) == 2
    assert f"cannot serve metrics on 127.0.0.1 port {port}" in capsys.readouterr().err


def test_an_unreachable_remote_exits_2(sqlite_url: str, tmp_path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from promptsync.cli.main import main

    url = f"file://{tmp_path / 'no-such-repo.git'}"
    assert main(["sync", "--once", "--repo", url, "--db", sqlite_url,
                 "--cache-dir", str(tmp_path / "mirrors")]) == 2
    assert "git" in capsys.readouterr().err


def test_a_remote_url_syncs_once_through_a_mirror(prompt_repo: GitRepo, sqlite_url: str,
                                                  tmp_path) -> None:
    from promptsync.cli.main import main

    url = f"file://{prompt_repo.path}"
    args = ["sync", "--once", "--repo", url, "--db", sqlite_url,
            "--cache-dir", str(tmp_path / "mirrors")]
    assert main(args) == 0
    head = bump_greeting(prompt_repo, "trail")
    assert main(args) == 0  # fetched into the existing mirror
    assert state(sqlite_url) == (head, 2)


@pytest.mark.parametrize("command", ["sync", "status"])
def test_a_database_port_that_is_not_a_number_is_a_usage_error(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str], command: str) -> None:
    from promptsync.cli.main import main

    url = "postgresql://app:hunter2@db.example:port/prompts"
    args = ["sync", "--once", "--repo", str(prompt_repo.path)] if command == "sync" else [command]
    assert main([*args, "--db", url]) == 2
    err = capsys.readouterr().err
    assert "not a database URL" in err and "app:***@" in err
    assert "hunter2" not in err and "bug" not in err


def test_the_sqlite_database_the_daemon_creates_is_private(prompt_repo: GitRepo,
                                                           tmp_path: Path) -> None:
    import stat

    path = tmp_path / "data" / "promptsync" / "promptsync.db"
    assert sync_once(prompt_repo, f"sqlite:///{path}") == 0
    for folder in (tmp_path / "data", path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = sorted(path.parent.iterdir())
    assert path in files
    for file in files:  # the database, and SQLite's -wal and -shm beside it
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
