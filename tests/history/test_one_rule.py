""""Is this a rollback?" has one answer: the audit, `promptsync history` and the daemon's
`prompt_versions` all read it from the commit's final trailer block (promptsync.trailers)."""

from __future__ import annotations

import json

import pytest

from promptsync.cli.main import main
from tests.daemon.helpers import query, sync_once
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(60)
GREETING = "prompts/default/greeting.yaml"


def history_actions(capsys: pytest.CaptureFixture[str], repo: GitRepo) -> dict[str, str]:
    capsys.readouterr()
    assert main(["history", "default/greeting", "--repo", str(repo.path),
                 "--format", "json"]) == 0
    return {e["commit"]: e["action"] for e in json.loads(capsys.readouterr().out)}


def versions_actions(db: str) -> dict[str, str]:
    rows = query(db, "SELECT commit_sha, action FROM prompt_versions WHERE brand = 'default' "
                     "AND type = 'GREETING' AND locale = ''")
    return {r["commit_sha"]: r["action"] for r in rows}


def test_a_promptsync_rollback_is_a_rollback_in_prompt_versions_and_the_audit(
        prompt_repo: GitRepo, sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    good = prompt_repo.head()
    assert sync_once(prompt_repo, sqlite_url) == 0
    prompt_repo.bump(GREETING, "How can I help you today?", "Yo.")
    prompt_repo.commit("Too casual")
    assert sync_once(prompt_repo, sqlite_url) == 0
    assert main(["rollback", "default/greeting", "--to", good, "--branch", "undo",
                 "--repo", str(prompt_repo.path)]) == 0
    prompt_repo.git("merge", "-q", "--ff-only", "undo")
    rolled = prompt_repo.head()
    assert sync_once(prompt_repo, sqlite_url) == 0
    assert versions_actions(sqlite_url)[rolled] == "rollback"
    assert history_actions(capsys, prompt_repo)[rolled] == "rollback"


def test_a_trailer_line_in_a_messages_body_is_not_a_rollback(
        prompt_repo: GitRepo, sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Only the final paragraph is the trailer block: a line in the body that looks like one
    # (quoted from another commit, say) makes nothing a rollback.
    base = prompt_repo.head()
    assert sync_once(prompt_repo, sqlite_url) == 0
    prompt_repo.bump(GREETING, "How can I help you today?", "How may I help?")
    prompt_repo.git("add", "-A")
    prompt_repo.git("commit", "-q", "-m", "Shorter question", "-m",
                    f"Rolled-back-to: {base}", "-m", "Reviewed by the brand team.")
    edited = prompt_repo.head()
    assert sync_once(prompt_repo, sqlite_url) == 0
    assert versions_actions(sqlite_url)[edited] == "update"
    assert history_actions(capsys, prompt_repo)[edited] == "update"
