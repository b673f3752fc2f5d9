"""GitRepository reads what git itself says is in a commit, and fails with a hint, not a trace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from promptsync.errors import GitError
from promptsync.gitio.repo import GitRepository
from tests.support.gitrepo import GitRepo


def test_files_are_the_commits_tree_with_gits_blob_ids(prompt_repo: GitRepo) -> None:
    head = prompt_repo.head()
    prompt_repo.write("prompts/acme/greeting.yaml", "uncommitted")
    with GitRepository(prompt_repo.path) as repo:
        files = {f.path: f for f in repo.files(head)}
    assert "prompts/acme/greeting.yaml" not in files
    greeting = files["prompts/default/greeting.yaml"]
    assert greeting.blob == prompt_repo.git("hash-object", "prompts/default/greeting.yaml")
    assert greeting.read() == (prompt_repo.path / "prompts/default/greeting.yaml").read_bytes()
    assert "schema/prompt.schema.json" in files


def test_a_symlink_is_reported_as_one(prompt_repo: GitRepo) -> None:
    os.symlink("/etc/passwd", prompt_repo.path / "prompts" / "default" / "evil.yaml")
    sha = prompt_repo.commit("Add a link")
    with GitRepository(prompt_repo.path) as repo:
        evil = next(f for f in repo.files(sha) if f.path.endswith("evil.yaml"))
    assert evil.is_symlink and evil.symlink_target == "/etc/passwd"


def test_changes_between_commits(prompt_repo: GitRepo) -> None:
    old = prompt_repo.head()
    prompt_repo.bump("prompts/default/greeting.yaml", "Hi", "Hello")
    prompt_repo.remove("prompts/northwind/farewell.yaml")
    new = prompt_repo.commit("Edit and delete")
    with GitRepository(prompt_repo.path) as repo:
        changed = repo.changed_paths(old, new)
        assert repo.is_ancestor(old, new) and not repo.is_ancestor(new, old)
        info = repo.commit_info(new)
    assert changed == [("M", "prompts/default/greeting.yaml"),
                       ("D", "prompts/northwind/farewell.yaml")]
    assert info.author_email == "ada@example.com" and info.parents == (old,)


def test_an_unknown_revision_names_itself_and_gives_a_hint(prompt_repo: GitRepo) -> None:
    with GitRepository(prompt_repo.path) as repo, pytest.raises(GitError) as caught:
        repo.resolve("no-such-branch")
    assert "no-such-branch" in str(caught.value) and "hint" in str(caught.value)


def test_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a git repository"):
        GitRepository(tmp_path)


def test_a_folder_inside_a_repository_names_the_repository(prompt_repo: GitRepo) -> None:
    with pytest.raises(GitError) as caught:
        GitRepository(prompt_repo.path / "prompts")
    assert str(caught.value) == (f"{prompt_repo.path / 'prompts'} is not a git repository "
                                 f"(hint: it is inside the repository {prompt_repo.path}: "
                                 f"pass --repo {prompt_repo.path})")


def test_many_blobs_are_read_at_once_and_missing_ones_left_out(prompt_repo: GitRepo) -> None:
    blob = prompt_repo.git("rev-parse", "HEAD:prompts/default/greeting.yaml")
    with GitRepository(prompt_repo.path) as repo:
        contents = repo.read_blobs([blob, "f" * 40])
        assert repo.known_commits([prompt_repo.head(), blob]) == {prompt_repo.head()}
    assert contents == {blob: (prompt_repo.path / "prompts/default/greeting.yaml").read_bytes()}


def test_a_failed_command_names_itself_without_options_and_gives_a_hint(
        prompt_repo: GitRepo) -> None:
    with GitRepository(prompt_repo.path) as repo, pytest.raises(GitError) as caught:
        repo.files("no-such-rev")
    assert str(caught.value) == ("git ls-tree no-such-rev prompts schema failed: fatal: Not a "
                                 "valid object name "
                                 "no-such-rev (hint: is --repo a git repository with that "
                                 "revision?)")


def test_files_read_at_once_are_the_files_read_one_by_one(prompt_repo: GitRepo) -> None:
    os.symlink("greeting.yaml", prompt_repo.path / "prompts" / "default" / "hello.yaml")
    sha = prompt_repo.commit("Add a link")
    with GitRepository(prompt_repo.path) as repo:
        lazy = {f.path: f for f in repo.files(sha)}
        eager = {f.path: f for f in repo.files(sha, read=True)}
        assert lazy.keys() == eager.keys()
        for path, f in eager.items():
            assert (f.blob, f.is_symlink, f.symlink_target) == \
                (lazy[path].blob, lazy[path].is_symlink, lazy[path].symlink_target)
            assert f.read() == lazy[path].read()


def test_changes_between_commits_do_not_read_the_index(prompt_repo: GitRepo) -> None:
    # git diff-tree read the index (29 ms of 45 at 100,000 files) and died on a damaged one,
    # though two commits are all it compares.
    old = prompt_repo.head()
    prompt_repo.bump("prompts/default/greeting.yaml", "Hi", "Hello")
    new = prompt_repo.commit("Edit")
    (prompt_repo.path / ".git" / "index").write_bytes(b"not an index")
    with GitRepository(prompt_repo.path) as repo:
        assert repo.changed_paths(old, new) == [("M", "prompts/default/greeting.yaml")]
