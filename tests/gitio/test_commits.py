"""Writing a commit without a working tree, and moving a ref only where the writer saw it."""

from __future__ import annotations

import pytest

from promptsync.errors import GitError
from promptsync.gitio.commits import (
    FileChange,
    Identity,
    RefMoved,
    ref_value,
    update_ref,
    write_commit,
)
from promptsync.gitio.repo import GitRepository
from tests.support.editing import FAREWELL, GREETING
from tests.support.gitrepo import GitRepo

BOT = Identity("Key rotate-bot", "rotate-bot@keys.promptsync")


def test_a_commit_is_its_parent_with_the_changes_and_touches_no_checkout(
        prompt_repo: GitRepo) -> None:
    parent = prompt_repo.head()
    prompt_repo.write(GREETING, "an uncommitted edit\n")
    status = prompt_repo.git("status", "--porcelain")
    with GitRepository(prompt_repo.path) as repo:
        sha = write_commit(repo, parent, [FileChange(GREETING, b"type: GREETING\n"),
                                          FileChange(FAREWELL, None)],
                           "Two changes\n\nAdmin-Key: sha256:abc\n", author=BOT, committer=BOT)
    assert prompt_repo.git("rev-parse", f"{sha}^") == parent
    assert prompt_repo.git("diff", "--name-status", parent, sha).splitlines() == [
        f"D\t{FAREWELL}", f"M\t{GREETING}"]
    assert prompt_repo.git("show", f"{sha}:{GREETING}") == "type: GREETING"
    assert prompt_repo.git("log", "-1", "--format=%an <%ae>|%cn|%(trailers:key=Admin-Key)",
                           sha) == "Key rotate-bot <rotate-bot@keys.promptsync>|Key rotate-bot|" \
                                   "Admin-Key: sha256:abc"
    assert prompt_repo.head() == parent  # no ref moved
    assert prompt_repo.git("status", "--porcelain") == status


def test_the_ref_moves_only_from_where_the_writer_saw_it(prompt_repo: GitRepo) -> None:
    seen = prompt_repo.head()
    with GitRepository(prompt_repo.path) as repo:
        mine = write_commit(repo, seen, [FileChange("prompts/acme/notes.md", b"a\n")], "Mine\n")
        theirs = write_commit(repo, seen, [FileChange("prompts/acme/notes.md", b"b\n")], "Theirs\n")
        update_ref(repo, "main", theirs, seen)  # the other writer was first
        with pytest.raises(RefMoved) as caught:
            update_ref(repo, "main", mine, seen)
        assert (caught.value.expected, caught.value.actual) == (seen, theirs)
        assert "refs/heads/main moved" in str(caught.value)
        assert ref_value(repo, "refs/heads/main") == theirs

        update_ref(repo, "review", mine, None)  # None: create, only if it does not exist
        with pytest.raises(RefMoved):
            update_ref(repo, "review", theirs, None)


def test_a_failure_that_is_not_a_moved_ref_is_a_plain_git_error(prompt_repo: GitRepo) -> None:
    head = prompt_repo.head()
    with GitRepository(prompt_repo.path) as repo, pytest.raises(GitError) as caught:
        update_ref(repo, "main", "f" * 40, head)  # no such object
    assert not isinstance(caught.value, RefMoved)
    assert str(caught.value).startswith(
        f"git update-ref refs/heads/main fffffff {head[:7]} failed: ")
