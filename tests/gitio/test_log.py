"""The one reader of `git log`: typed records for the audit log, a file's last change, a file's
blobs through history, and the commit graph."""

from __future__ import annotations

from promptsync.gitio.log import ancestry, last_commit_touching, read_log
from promptsync.gitio.repo import GitRepository
from tests.support.gitrepo import GitRepo

GREETING = "prompts/default/greeting.yaml"


def test_each_commit_names_the_blobs_of_the_files_it_changed(prompt_repo: GitRepo) -> None:
    before = prompt_repo.git("rev-parse", f"HEAD:{GREETING}")
    prompt_repo.bump(GREETING, "Hi", "Hello")
    sha = prompt_repo.commit("Say hello\n\nA longer body.")
    after = prompt_repo.git("rev-parse", f"HEAD:{GREETING}")
    with GitRepository(prompt_repo.path) as repo:
        newest, *older = read_log(repo, "HEAD", [GREETING])
    assert (newest.sha, newest.subject, newest.message) == (sha, "Say hello",
                                                             "Say hello\n\nA longer body.")
    assert newest.author_name == prompt_repo.git("log", "-1", "--format=%an")
    [change] = newest.changes
    assert (change.status, change.old_blob, change.new_blob) == ("M", before, after)
    assert [c.changes[0].status for c in older] == ["A"]


def test_a_rename_names_both_paths(prompt_repo: GitRepo) -> None:
    (prompt_repo.path / "prompts/acme").mkdir()
    prompt_repo.git("mv", "prompts/harbor-bank/greeting.yaml", "prompts/acme/greeting.yaml")
    prompt_repo.commit("Rename")
    with GitRepository(prompt_repo.path) as repo:
        [change] = read_log(repo, "HEAD", ["prompts/"], limit=1)[0].changes
    assert (change.status, change.old_path, change.new_path) == (
        "R", "prompts/harbor-bank/greeting.yaml", "prompts/acme/greeting.yaml")


def test_the_last_commit_touching_a_file_and_the_commit_graph(prompt_repo: GitRepo) -> None:
    first = prompt_repo.head()
    prompt_repo.bump(GREETING, "Hi", "Hello")
    touched = prompt_repo.commit("Edit the greeting")
    prompt_repo.write("README.md", "elsewhere")
    tip = prompt_repo.commit("Not a prompt")
    with GitRepository(prompt_repo.path) as repo:
        last = last_commit_touching(repo, tip, GREETING)
        assert last_commit_touching(repo, tip, "prompts/no/such.yaml") is None
        graph = ancestry(repo, [tip])
    assert last is not None and last.sha == touched
    assert graph == {tip: [touched], touched: [first], first: []}
