"""The daemon keeps one repository open from cycle to cycle, and it reads what a fresh one would.

A kept repository's `git cat-file` children started before a commit, a repack or a failure must
still answer like a freshly opened repository: new commits, objects moved into new packs, and
ancestry between any two commits.
"""

from __future__ import annotations

import subprocess
import threading

import pytest

from promptsync.daemon.source import GitSource
from promptsync.errors import GitError
from promptsync.gitio.command import outlives_us
from promptsync.gitio.repo import GitRepository
from tests.support.gitrepo import GitRepo

GREETING = "prompts/default/greeting.yaml"


def test_cycles_of_one_thread_share_one_repository_other_threads_open_their_own(
        prompt_repo: GitRepo) -> None:
    source = GitSource(str(prompt_repo.path))
    seen: list[GitRepository] = []
    with source.kept():
        with source.reading() as first:
            seen.append(first)
        with source.reading() as again:
            assert again is first
        other = threading.Thread(target=lambda: seen.append(_read_once(source)))
        other.start()
        other.join(30)
        assert len(seen) == 2 and seen[1] is not first
    with source.reading() as outside:
        assert outside is not first  # kept() ended: each attempt opens its own again


def _read_once(source: GitSource) -> GitRepository:
    with source.reading() as repo:
        return repo


def test_a_failure_drops_the_kept_repository(prompt_repo: GitRepo) -> None:
    source = GitSource(str(prompt_repo.path))
    with source.kept():
        with pytest.raises(GitError), source.reading() as first:
            first.resolve("no-such-branch")
        with source.reading() as second:
            assert second is not first
            assert second.resolve("main") == prompt_repo.head()


def test_a_kept_repository_reads_commits_made_and_repacked_after_it_opened(
        prompt_repo: GitRepo) -> None:
    source = GitSource(str(prompt_repo.path))
    with source.kept():
        with source.reading() as repo:
            old = repo.resolve("main")
            repo.read_blob(next(f.blob for f in repo.files(old) if f.path == GREETING))
        prompt_repo.bump(GREETING, "Hi", "Hello")
        new = prompt_repo.commit("Hello")
        prompt_repo.git("gc", "-q")  # the new objects move into a pack made after we opened
        with source.reading() as repo:
            assert repo.resolve("main") == new
            blob = next(f.blob for f in repo.files(new) if f.path == GREETING)
            assert b"Hello" in repo.read_blob(blob)
            assert repo.changed_paths(old, new) == [("M", GREETING)]


def test_ancestry_answered_from_a_commits_parents_equals_gits(prompt_repo: GitRepo) -> None:
    root = prompt_repo.head()
    prompt_repo.bump(GREETING, "Hi", "Hello")
    child = prompt_repo.commit("child")
    prompt_repo.bump(GREETING, "Hello", "Hey")
    grandchild = prompt_repo.commit("grandchild")
    prompt_repo.git("checkout", "-q", "-b", "side", root)
    side = prompt_repo.commit("side", allow_empty=True)
    commits = [root, child, grandchild, side]
    with GitRepository(prompt_repo.path) as repo:
        for older in commits:
            for newer in commits:
                assert repo.is_ancestor(older, newer) is _git_says(prompt_repo, older, newer)


def _git_says(repo: GitRepo, older: str, newer: str) -> bool:
    return subprocess.run(["git", "merge-base", "--is-ancestor", older, newer],
                          cwd=repo.path, capture_output=True).returncode == 0


@pytest.mark.parametrize(("command", "lasting"), [
    (["git", "fetch", "--quiet", "origin"], True),
    (["git", "-c", "http.lowSpeedTime=5", "clone", "--mirror", "u", "d"], True),
    (["git", "push", "--quiet", "origin", "a:b"], True),
    (["git", "diff-tree", "-r", "a", "b"], False),
    (["git", "cat-file", "--batch-check"], False),  # one-shot; persistent ones are as_process
    (["git", "-c", "fetch.x=1", "ls-tree", "-r", "HEAD"], False),
])
def test_only_commands_that_wait_on_the_network_are_tied_to_our_life(
        command: list[str], lasting: bool) -> None:
    assert outlives_us(command) is lasting
