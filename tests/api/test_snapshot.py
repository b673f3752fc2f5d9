"""The branch head's files that previews and the editors' page read, kept per commit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from promptsync.api.snapshot import BranchFiles
from tests.support.gitrepo import GitRepo

T = TypeVar("T")


def in_a_thread_that_ends(call: Callable[[], T]) -> T:
    found: list[T] = []
    thread = threading.Thread(target=lambda: found.append(call()))
    thread.start()
    thread.join(60)
    assert found, "the call did not finish"
    return found[0]


def test_the_head_is_read_after_the_thread_that_first_read_it_ended(
        prompt_repo: GitRepo) -> None:
    """git children die with the thread that started them (PR_SET_PDEATHSIG): a worker thread
    that ends (AnyIO ends idle ones after 10 s) must not take the snapshot's git with it."""
    files = BranchFiles(prompt_repo.path, "main")
    try:
        first = in_a_thread_that_ends(files.snapshot)
        prompt_repo.bump("prompts/default/greeting.yaml", "How can I help", "What can I do")
        moved = prompt_repo.commit("Reword the greeting")
        second = files.snapshot()
        assert (first.commit, second.commit) == (first.commit, moved)
        assert b"What can I do" in (second.read("prompts/default/greeting.yaml") or b"")
    finally:
        files.close()
