"""A rollback is built on the published branch, never on whatever the editor has checked out,
and the function behind it serves the HTTP API too (its author, its trailers, no ref moved)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from promptsync.cli.main import main
from promptsync.gitio.commits import Identity
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptId, PromptType
from promptsync.rollback import build_rollback
from tests.daemon.helpers import query
from tests.support.editing import FAREWELL, GREETING, cli
from tests.support.gitrepo import GitRepo

ID = PromptId("default", PromptType.GREETING)


def clone(origin: GitRepo, path: Path) -> GitRepo:
    subprocess.run(["git", "clone", "-q", str(origin.path), str(path)], check=True)
    return GitRepo(path)


@pytest.fixture
def on_a_feature_branch(prompt_repo: GitRepo, tmp_path: Path) -> tuple[GitRepo, str, str]:
    """An editor's clone with a feature branch checked out, holding an unmerged commit; main
    has moved on at origin since the clone. Returns (clone, first commit, origin's main)."""
    first = prompt_repo.head()
    prompt_repo.bump(GREETING, "How can I help you today?", "Yo.")
    prompt_repo.commit("Too casual")
    editor = clone(prompt_repo, tmp_path / "editor")
    editor.git("checkout", "-q", "-b", "feature")
    editor.bump(FAREWELL, "", "")
    editor.commit("Unmerged work on the farewell")
    prompt_repo.bump(FAREWELL, "", "")
    published = prompt_repo.commit("Published meanwhile")
    editor.git("fetch", "-q", "origin")
    return editor, first, published


@pytest.mark.timeout(60)
def test_rollback_from_a_feature_branch_builds_on_the_published_branch(
        on_a_feature_branch: tuple[GitRepo, str, str]) -> None:
    editor, first, published = on_a_feature_branch
    feature = editor.head()
    assert main(["rollback", "default/greeting", "--to", first, "--branch", "undo",
                 "--repo", str(editor.path)]) == 0
    tip = editor.head("undo")
    assert editor.git("rev-parse", "undo^") == published  # origin/main's head
    # The one commit the branch adds to the published branch is the rollback: no feature work.
    assert editor.git("rev-list", tip, "--not", published) == tip
    assert editor.git("diff", "--name-only", published, tip) == GREETING
    assert editor.git("branch", "--show-current") == "feature" and editor.head() == feature


@pytest.mark.timeout(60)
def test_rollback_names_the_base_and_honours_an_explicit_one(
        on_a_feature_branch: tuple[GitRepo, str, str]) -> None:
    editor, first, published = on_a_feature_branch
    proc = cli("rollback", "default/greeting", "--to", first, "--repo", str(editor.path))
    assert proc.returncode == 0, proc.stderr
    assert f"from origin/main ({published[:7]})" in proc.stdout
    assert "It starts from origin/main: your main is behind origin/main, the newer published " \
        "history (`--base main` to start there)." in proc.stdout
    old_main = editor.head("main")  # the local main, behind origin
    proc = cli("rollback", "default/greeting", "--to", first, "--base", "main", "--branch",
               "undo-local", "--repo", str(editor.path))
    assert proc.returncode == 0, proc.stderr
    assert editor.git("rev-parse", "undo-local^") == old_main
    assert "It starts from main: as --base asked." in proc.stdout


@pytest.mark.timeout(60)
def test_in_a_plain_local_clone_rollback_starts_where_sync_repo_dot_publishes(
        prompt_repo: GitRepo, tmp_path: Path, sqlite_url: str) -> None:
    # A clone whose main went ahead of origin/main (a commit made here, not pushed):
    # `sync --repo .` publishes local main, so a rollback starts there, and says why.
    first = prompt_repo.head()
    prompt_repo.bump(GREETING, "How can I help you today?", "What can I do for you?")
    second = prompt_repo.commit("Another question")
    local = clone(prompt_repo, tmp_path / "clone")
    proc = cli("rollback", "default/greeting", "--to", first, "--branch", "undo-same",
               "--repo", str(local.path))
    assert f"from main ({second[:7]})" in proc.stdout, proc.stderr
    assert "It starts from main: the branch `promptsync sync --repo .` follows here, at the " \
        "same commit as origin/main." in proc.stdout
    local.bump(GREETING, "What can I do for you?", "Yo.")
    ahead = local.commit("Too casual, committed on main here")
    assert main(["sync", "--once", "--repo", str(local.path), "--db", sqlite_url]) == 0
    [published] = query(sqlite_url, "SELECT commit_sha FROM sync_state")
    assert published["commit_sha"] == ahead
    proc = cli("rollback", "default/greeting", "--to", first, "--branch", "undo",
               "--repo", str(local.path))
    assert proc.returncode == 0, proc.stderr
    assert local.git("rev-parse", "undo^") == ahead
    assert "It starts from main: the branch `promptsync sync --repo .` follows here; it is " \
        "ahead of origin/main, and the commits origin/main lacks are in this branch too." \
        in proc.stdout


@pytest.mark.timeout(60)
def test_rollback_follows_promptsync_ref(prompt_repo: GitRepo) -> None:
    first = prompt_repo.head()
    prompt_repo.git("checkout", "-q", "-b", "production")
    prompt_repo.bump(GREETING, "How can I help you today?", "Yo.")
    production = prompt_repo.commit("Too casual, on production")
    prompt_repo.git("checkout", "-q", "main")
    proc = cli("rollback", "default/greeting", "--to", first, "--branch", "undo",
               "--repo", str(prompt_repo.path), env={"PROMPTSYNC_REF": "production"})
    assert proc.returncode == 0, proc.stderr
    assert prompt_repo.git("rev-parse", "undo^") == production
    proc = cli("rollback", "default/greeting", "--to", first, "--repo", str(prompt_repo.path),
               env={"PROMPTSYNC_REF": "no-such-branch"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "neither origin/no-such-branch nor no-such-branch exists" in proc.stderr
    assert "--base REF" in proc.stderr


def test_the_rollback_function_takes_an_author_and_trailers_and_moves_no_ref(
        prompt_repo: GitRepo) -> None:
    first = prompt_repo.head()
    prompt_repo.bump(GREETING, "How can I help you today?", "Yo.")
    head = prompt_repo.commit("Too casual")
    refs = prompt_repo.git("for-each-ref")
    with GitRepository(prompt_repo.path) as repo:
        done = build_rollback(repo, ID, first, base="main",
                              author=Identity("Key ops", "ops@keys.promptsync"),
                              trailers=[("Admin-Key", "sha256:0a1b2c")])
    assert (done.parent, done.restored_from, done.version, done.branch) == (head, first, 3, None)
    assert prompt_repo.git("for-each-ref") == refs
    log = prompt_repo.git("log", "-1", "--format=%an <%ae>%n%B", done.commit)
    assert log.startswith("Key ops <ops@keys.promptsync>\nRoll back default/greeting to ")
    assert log.endswith(f"Rolled-back-to: {first}\nAdmin-Key: sha256:0a1b2c")
    assert prompt_repo.git("rev-parse", f"{done.commit}^") == head
