"""`promptsync history`: the audit log read from a real git repository."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from promptsync.cli.main import main
from tests.support.editing import FAREWELL, GREETING, cli, commit_as, history
from tests.support.gitrepo import GitRepo


def history_json(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["history", "--repo", str(repo.path), "--format", "json", *args]) == 0
    return list(json.loads(capsys.readouterr().out))


@pytest.fixture
def edited(prompt_repo: GitRepo) -> GitRepo:
    """main: import, two greeting edits, a rename of a brand, a delete, a restore."""
    repo = prompt_repo
    repo.bump(GREETING, "How can I help you today?", "What can I do for you?")
    repo.commit("Ask what we can do")
    repo.bump(GREETING, "What can I do for you?", "How may I help?")
    commit_as(repo, "Shorter question", "Bo Writer <bo@example.com>")
    repo.git("mv", "prompts/northwind", "prompts/northwind-outfitters")
    repo.commit("Rename the northwind brand")
    repo.remove("prompts/harbor-bank/handoff.yaml")
    repo.commit("Drop the bank's own handoff")
    # Restore the first greeting text by hand: the content of an earlier commit comes back.
    repo.bump(GREETING, "How may I help?", "How can I help you today?")
    repo.commit("Back to the first greeting")
    return repo


@pytest.mark.timeout(60)
def test_every_kind_of_change_is_listed_with_versions(edited: GitRepo, capsys) -> None:
    entries = history_json(capsys, edited, "default/greeting")
    assert [(e["action"], e["version_before"], e["version_after"]) for e in entries] == [
        ("update", 3, 4), ("update", 2, 3), ("update", 1, 2), ("create", None, 1)]
    # Brought back by hand: an update (a rollback is what says it is one), naming what it
    # restores.
    assert entries[0]["restores"] == entries[-1]["commit"]
    assert entries[1]["author_name"] == "Bo Writer"
    assert entries[1]["author_email"] == "bo@example.com"
    assert entries[0]["subject"] == "Back to the first greeting"
    # The commit's own author date (a bound like `<= now` would pass for nearly any date).
    assert datetime.fromisoformat(entries[0]["date"]) == datetime.fromisoformat(
        edited.git("log", "-1", "--format=%aI", entries[0]["commit"]))

    renamed = history_json(capsys, edited, "northwind-outfitters/greeting")
    assert renamed[0]["action"] == "rename"
    assert renamed[0]["previous_id"] == "northwind/greeting"
    # The old id finds the rename too, and the life before it.
    assert [e["action"] for e in history_json(capsys, edited, "northwind/greeting")] == [
        "rename", "create"]

    deleted = history_json(capsys, edited, "harbor-bank/handoff")
    assert (deleted[0]["action"], deleted[0]["version_after"]) == ("delete", None)


@pytest.mark.timeout(60)
def test_filters_by_brand_type_author_and_date(edited: GitRepo, capsys) -> None:
    FAREWELL_TEXT = edited.read(FAREWELL).split("template: |\n", 1)[1].splitlines()[0].strip()
    edited.bump(FAREWELL, FAREWELL_TEXT, FAREWELL_TEXT + " Bye!")
    commit_as(edited, "An old farewell", "Cy Old <cy@example.com>", "2020-01-02T10:00:00Z")

    by_brand = history_json(capsys, edited, "--brand", "harbor-bank")
    assert by_brand and {e["prompt"].split("/")[0] for e in by_brand} == {"harbor-bank"}
    by_type = history_json(capsys, edited, "--type", "FAREWELL")
    assert by_type and {e["prompt"].split("/")[1] for e in by_type} == {"farewell"}
    assert [e["subject"] for e in history_json(capsys, edited, "--author", "BO@EXAMPLE")] == [
        "Shorter question"]
    old = history_json(capsys, edited, "--until", "2020-01-02")
    assert [e["subject"] for e in old] == ["An old farewell"]
    assert "An old farewell" not in {
        e["subject"] for e in history_json(capsys, edited, "--since", "2020-01-03")}


@pytest.mark.timeout(60)
def test_text_format_reads_as_one_line_per_change(edited: GitRepo, capsys) -> None:
    assert main(["history", "default/greeting", "--repo", str(edited.path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert " update " in lines[0] and "v3 → v4" in lines[0] and "(restores " in lines[0]
    assert "Bo Writer <bo@example.com>" in lines[1]
    assert "create" in lines[-1] and "v- → v1" in lines[-1]


@pytest.mark.timeout(60)
def test_revert_commit_is_a_rollback(prompt_repo: GitRepo) -> None:
    imported = prompt_repo.head()
    prompt_repo.bump(GREETING, "How can I help you today?", "Hello!")
    bad = prompt_repo.commit("Too short")
    prompt_repo.git("revert", "--no-edit", bad)
    latest = history(prompt_repo.path)[0]
    assert (latest.action, latest.restores) == ("rollback", imported)
    # Reverting a change whose earlier text is not in the log names the reverted commit.
    prompt_repo.bump(GREETING, "How can I help you today?", "Hello again!")
    prompt_repo.commit("Revert \"nothing\"\n\nThis reverts commit " + bad + ".")
    latest = history(prompt_repo.path)[0]
    assert (latest.action, latest.restores) == ("rollback", bad)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("args, message", [
    (["acme"], "not <brand>/<type>"), (["--type", "hello"], "unknown prompt type"),
    (["--since", "yesterday"], "is not a date"), (["--brand", "Acme!"], "is not a brand")])
def test_bad_arguments_are_one_line_exit_2(prompt_repo: GitRepo, args, message) -> None:
    proc = cli("history", "--repo", str(prompt_repo.path), *args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.timeout(60)
def test_not_a_repository_is_exit_2(tmp_path) -> None:
    proc = cli("history", "--repo", str(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
