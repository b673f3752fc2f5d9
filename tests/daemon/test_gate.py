"""The validation gate: whole-tree validation, incremental only when nothing else can differ."""

from __future__ import annotations

import pytest

from promptsync.daemon.gate import Gate
from promptsync.gitio.repo import GitRepository
from tests.daemon.helpers import GREETING, HANDOFF, break_greeting, bump_greeting
from tests.support.gitrepo import GitRepo, project_prompt_count

pytestmark = pytest.mark.timeout(60)


def _check(gate: Gate, repo: GitRepo, base: str | None):
    with GitRepository(repo.path) as g:
        return gate.check(g, base, repo.head(), lambda: True)


def test_a_one_prompt_edit_is_checked_alone_and_still_caught(prompt_repo: GitRepo) -> None:
    gate = Gate()
    first = prompt_repo.head()
    whole = _check(gate, prompt_repo, None)
    assert not whole.errors and not whole.incremental
    assert len(whole.prompts) == project_prompt_count()
    second = bump_greeting(prompt_repo, "trail")
    edit = _check(gate, prompt_repo, first)
    assert edit.incremental and not edit.errors
    assert [str(i) for i in edit.prompts] == ["northwind/greeting"]
    break_greeting(prompt_repo, "Break it")
    bad = _check(gate, prompt_repo, second)
    assert bad.incremental and bad.errors and bad.errors[0].startswith(f"{GREETING}:")
    assert gate.passed == second


@pytest.mark.parametrize("change", ["delete", "schema", "add"])
def test_anything_but_modified_prompts_gets_the_whole_tree(prompt_repo: GitRepo,
                                                           change: str) -> None:
    gate = Gate()
    first = prompt_repo.head()
    _check(gate, prompt_repo, None)
    if change == "delete":
        prompt_repo.remove(HANDOFF)
    elif change == "schema":
        prompt_repo.write("schema/variables.yaml",
                          prompt_repo.read("schema/variables.yaml") + "\n# note\n")
    else:
        prompt_repo.write("prompts/acme/greeting.yaml", prompt_repo.read(GREETING))
    prompt_repo.commit(change)
    verdict = _check(gate, prompt_repo, first)
    assert not verdict.incremental and not verdict.errors


def test_a_base_the_gate_did_not_pass_gets_the_whole_tree(prompt_repo: GitRepo) -> None:
    gate = Gate()
    first = prompt_repo.head()
    bump_greeting(prompt_repo, "trail")
    assert not _check(gate, prompt_repo, first).incremental
