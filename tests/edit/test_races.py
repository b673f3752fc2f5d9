"""Concurrent edits: the compare-and-swap on the ref never loses an update, whatever the timing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from promptsync.edit.request import Conflict, Outcome, Written
from promptsync.edit.service import EditService
from promptsync.model import PromptId
from tests.edit.conftest import update
from tests.support.gitrepo import GitRepo

CLIENTS = 20


def text(n: int) -> str:
    return f"Hi #{n}, {{{{ brand_name }}}}\n"


def at_once(calls: list[Callable[[], Outcome]]) -> list[Outcome]:
    """Every call started together (a barrier), each on its own thread."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Outcome]) -> Outcome:
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_twenty_editors_of_one_version_give_one_commit_and_nineteen_conflicts(
        prompt_repo: GitRepo, service: EditService) -> None:
    before = prompt_repo.head()
    outcomes = at_once([lambda n=n: service.apply(update(template=text(n), message=f"edit {n}"))
                        for n in range(CLIENTS)])
    written = [o for o in outcomes if isinstance(o, Written)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(written) == 1 and len(conflicts) == CLIENTS - 1, outcomes
    assert prompt_repo.git("rev-list", "--count", f"{before}..main") == "1"
    assert all(c.current_version == 2 and c.last_change is not None
               and c.last_change.commit == written[0].commit for c in conflicts)


def test_twenty_editors_of_one_version_on_review_branches_give_one_branch(
        prompt_repo: GitRepo, service: EditService) -> None:
    outcomes = at_once([lambda n=n: service.apply(update(template=text(n), write_to="branch"))
                        for n in range(CLIENTS)])
    assert sum(isinstance(o, Written) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, Conflict) and o.reason == "being-edited"
               for o in outcomes if not isinstance(o, Written))
    assert prompt_repo.git("for-each-ref", "--format=%(refname)", "refs/heads/edit") == \
        "refs/heads/edit/default/greeting/v2"


def test_edits_of_different_prompts_at_once_all_land(prompt_repo: GitRepo,
                                                     service: EditService) -> None:
    """A ref moved by another prompt's edit is a retry, not a conflict."""
    before = prompt_repo.head()
    types = ["greeting", "farewell", "rejection", "clarification", "handoff"]
    calls = [lambda t=t: service.apply(update(prompt=PromptId.parse(f"default/{t}"),
                                              template=f"A new {t} text.\n"))
             for t in types]
    outcomes = at_once(calls)
    assert all(isinstance(o, Written) for o in outcomes), outcomes
    assert prompt_repo.git("rev-list", "--count", f"{before}..main") == str(len(types))
