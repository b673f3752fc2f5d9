"""The validation gate: whole-tree validation, incremental only when nothing else can differ."""

from __future__ import annotations

import pytest

from promptsync.brands import brand_of_file, read_all
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
    # The edited prompt and the files whose findings depend on it: its translations.
    assert sorted(str(i) for i in edit.prompts) == [
        "northwind/greeting", "northwind/greeting.de", "northwind/greeting.fr"]
    break_greeting(prompt_repo, "Break it")
    bad = _check(gate, prompt_repo, second)
    assert bad.incremental and bad.errors and bad.errors[0].startswith(f"{GREETING}:")
    assert gate.passed == second


@pytest.mark.parametrize(("change", "incremental"),
                         [("delete", True), ("schema", False), ("add", True)])
def test_only_a_change_of_the_rules_gets_the_whole_tree(prompt_repo: GitRepo, change: str,
                                                         incremental: bool) -> None:
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
    assert verdict.incremental is incremental and not verdict.errors


def test_a_base_the_gate_did_not_pass_gets_the_whole_tree(prompt_repo: GitRepo) -> None:
    gate = Gate()
    first = prompt_repo.head()
    bump_greeting(prompt_repo, "trail")
    assert not _check(gate, prompt_repo, first).incremental


def test_a_whole_tree_verdict_carries_the_brand_files_the_planner_reads(
        prompt_repo: GitRepo) -> None:
    """After a check of the whole tree the planner takes the brands' languages from the verdict
    instead of listing and parsing the commit's brand files again: they must be the same. An
    incremental verdict saw a few brand files at most, and carries none."""
    gate = Gate()
    whole = _check(gate, prompt_repo, None)
    with GitRepository(prompt_repo.path) as g:
        listed = [f for f in g.files(prompt_repo.head(), dirs=("prompts",))
                  if brand_of_file(f.path) is not None]
        from_commit = read_all((f.path, f.read()) for f in listed)
    assert whole.brands == from_commit and set(from_commit) == {"default", "northwind"}
    first = prompt_repo.head()
    bump_greeting(prompt_repo, "trail")
    edit = _check(gate, prompt_repo, first)
    assert edit.incremental and edit.brands is None
