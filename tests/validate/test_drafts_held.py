"""Issue 18 item 3: a server that previews drafts must not keep them. Each distinct draft used to
be kept by the previews' validator (an LRU of 50,000 entries): 3,000 drafts of ~60 KB moved the
API's RSS from 186 to 410 MiB, reachable without a key on a laptop server."""

from __future__ import annotations

from promptsync.core.workspace import Workspace
from promptsync.lru import LRU
from promptsync.validate import Validator
from tests.support.gitrepo import GitRepo

GREETING = "prompts/default/greeting.yaml"


def draft(repo: GitRepo, n: int) -> bytes:
    """The shipped greeting with its version raised and ~9 KB of words of its own."""
    shipped = (repo.path / GREETING).read_text()
    return (shipped.replace("version: 1", "version: 2", 1)
            .replace("How can I help you today?", f"Draft {n}. " + "Words " * 1500, 1)).encode()


def test_previewed_drafts_leave_nothing_in_the_validators_memory(prompt_repo: GitRepo) -> None:
    validator = Validator(workers=1)
    workspace = Workspace.of_directory(prompt_repo.path, validator)
    assert not workspace.check_edit(GREETING, draft(prompt_repo, 0)).errors
    after_one = validator.held
    for n in range(1, 40):
        assert not workspace.check_edit(GREETING, draft(prompt_repo, n)).errors
    assert validator.held == after_one  # the shipped files' results, nothing of the drafts


def test_a_cache_of_caller_chosen_texts_is_bounded_by_their_size_not_their_count() -> None:
    cache: LRU[str, str] = LRU(50_000, max_bytes=100_000, weigh=lambda k, v: len(v))
    for n in range(1_000):
        cache.put(f"draft {n}", "x" * 10_000)
    assert cache.weight <= 100_000 and len(cache) == 10
    assert cache.get("draft 999") is not None and cache.get("draft 0") is None
