"""The two answers to "which ref is the published branch here", side by side: they agree except
where the local branch is ahead of origin's, and there each is right for its own question."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from promptsync.errors import UsageError
from promptsync.gitio.published import publishing_base, server_copy
from promptsync.gitio.repo import GitRepository
from tests.support.editing import FAREWELL, GREETING
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(60)


def clone(origin: GitRepo, path: Path) -> GitRepo:
    subprocess.run(["git", "clone", "-q", str(origin.path), str(path)], check=True)
    return GitRepo(path)


def answers(repo: GitRepo) -> tuple[str | None, str]:
    with GitRepository(repo.path) as git:
        return server_copy(git, "main"), publishing_base(git, "main").ref


def test_a_clone_at_origins_commit_gets_one_answer_in_two_spellings(
        prompt_repo: GitRepo, tmp_path: Path) -> None:
    editor = clone(prompt_repo, tmp_path / "editor")
    assert answers(editor) == ("origin/main", "main")  # the same commit


def test_local_commits_not_pushed_yet_are_compared_with_the_server_and_built_on(
        prompt_repo: GitRepo, tmp_path: Path) -> None:
    editor = clone(prompt_repo, tmp_path / "editor")
    editor.bump(GREETING, "How can I help you today?", "How may I help?")
    editor.commit("Not pushed yet")
    # validate: what the server has (the bump shows before CI); a rollback: this clone's
    # daemon publishes the local main, whose commit must not be dropped.
    assert answers(editor) == ("origin/main", "main")
    with GitRepository(editor.path) as git:
        assert "ahead of origin/main" in publishing_base(git, "main").why


def test_a_clone_behind_origin_starts_from_origin(prompt_repo: GitRepo, tmp_path: Path) -> None:
    editor = clone(prompt_repo, tmp_path / "editor")
    prompt_repo.bump(FAREWELL, "", "")
    prompt_repo.commit("Published meanwhile")
    editor.git("fetch", "-q", "origin")
    assert answers(editor) == ("origin/main", "origin/main")


def test_a_repository_without_a_remote_answers_its_own_branch(prompt_repo: GitRepo) -> None:
    assert answers(prompt_repo) == ("main", "main")
    with GitRepository(prompt_repo.path) as git:
        assert server_copy(git, "release") is None
        with pytest.raises(UsageError, match="neither origin/release nor release"):
            publishing_base(git, "release")
