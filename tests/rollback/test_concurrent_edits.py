"""The optimistic lock, played for real: two pull requests, one prompt, one `version:` line."""

from __future__ import annotations

import re
import sys

import pytest

from promptsync.model import PromptId, PromptType
from tests.support.editing import FAREWELL, GREETING, cli, history
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

CONFLICT = re.compile(r"<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n", re.DOTALL)


def branch_edit(repo: GitRepo, branch: str, rel: str, old: str, new: str) -> None:
    repo.git("checkout", "-q", "-b", branch, "main")
    repo.bump(rel, old, new)
    repo.commit(f"{branch}: {new}")
    repo.git("checkout", "-q", "main")


def validate_base_main(repo: GitRepo) -> tuple[int, str]:
    proc = cli("validate", "--base", "main", "--repo", str(repo.path))
    return proc.returncode, proc.stdout


def conflicts(repo: GitRepo) -> list[tuple[str, str]]:
    """(ours, theirs) of every conflict block; asserts the greeting is the only file in conflict."""
    assert repo.git("diff", "--name-only", "--diff-filter=U") == GREETING
    return CONFLICT.findall(repo.read(GREETING))


def resolve_with_bump(repo: GitRepo) -> None:
    """What the editor does: keep both edits, take main's version and add 1."""
    repo.write(GREETING, repo.read(GREETING).replace("version: 2\n", "version: 3\n"))
    repo.git("add", GREETING)


def install_merge_driver(repo: GitRepo) -> None:
    """What an editor's clone runs once (see sync/promptsync/mergedriver.py)."""
    repo.git("config", "merge.promptsync-version.driver",
             f"env PYTHONPATH={PROJECT_ROOT} {sys.executable} -m promptsync.mergedriver "
             "%O %A %B %P")
    repo.write(".gitattributes", "prompts/**/*.yaml merge=promptsync-version\n")
    repo.commit("Make concurrent version bumps conflict")


def edit_twice_merge_first(repo: GitRepo) -> GitRepo:
    branch_edit(repo, "pr-a", GREETING, "empty for anonymous visitors", "empty when not signed in")
    branch_edit(repo, "pr-b", GREETING, "How can I help you today?", "What can I do for you?")
    repo.git("merge", "-q", "--no-ff", "pr-a", "-m", "Merge pr-a")
    repo.git("checkout", "-q", "pr-b")
    return repo


@pytest.fixture
def first_merged(prompt_repo: GitRepo) -> GitRepo:
    install_merge_driver(prompt_repo)
    return edit_twice_merge_first(prompt_repo)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("how", ["merge", "rebase"])
def test_second_edit_of_one_prompt_conflicts_on_the_version_line(first_merged: GitRepo,
                                                                 how: str) -> None:
    repo = first_merged
    # Both ways of updating the branch stop, and only on the version line.
    for attempt in ("merge", "rebase"):
        repo.git(attempt, "main", check=False)
        assert conflicts(repo) == [("version: 2\n", "version: 2\n")]
        repo.git(attempt, "--abort")

    repo.git(how, "main", check=False)
    # Taking either side's version 2 is caught by the version check ...
    repo.write(GREETING, CONFLICT.sub("version: 2\n", repo.read(GREETING)))
    code, out = validate_base_main(repo)
    assert code == 1 and "[version-not-bumped]" in out and f"{GREETING}:3:1:" in out
    # ... and bumping once more passes.
    resolve_with_bump(repo)
    if how == "merge":
        repo.git("commit", "-q", "--no-edit")
    else:
        repo.git("-c", "core.editor=true", "rebase", "--continue")
    code, out = validate_base_main(repo)
    assert code == 0, out

    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "pr-b", "-m", "Merge pr-b")
    final = repo.read(GREETING)
    assert "version: 3\n" in final
    assert "empty when not signed in" in final and "What can I do for you?" in final
    assert "<<<<<<<" not in final
    # The audit log shows the second bump, whether it was made in a merge or a rebased commit.
    latest = history(repo.path)[0]
    assert (latest.prompt, latest.version_before, latest.version_after) == (
        PromptId("default", PromptType.GREETING), 2, 3)


@pytest.mark.timeout(120)
def test_without_the_driver_git_merges_the_twin_bumps_and_the_version_check_stops_it(
        prompt_repo: GitRepo) -> None:
    # This is what GitHub's merge button does: identical `version: 2` lines merge silently.
    repo = edit_twice_merge_first(prompt_repo)
    repo.git("merge", "-q", "main", "-m", "Update pr-b")
    assert "version: 2\n" in repo.read(GREETING)
    code, out = validate_base_main(repo)
    assert code == 1 and "default/greeting was changed but its version is still 2" in out
    repo.bump(GREETING, "version: 2", "version: 2")
    repo.commit("Bump again after main moved")
    assert validate_base_main(repo)[0] == 0


@pytest.mark.timeout(120)
def test_edits_of_different_prompts_both_merge_cleanly(prompt_repo: GitRepo) -> None:
    repo = prompt_repo
    install_merge_driver(repo)
    farewell_line = next(line.strip() for line in repo.read(FAREWELL).splitlines()
                         if line.startswith("  ") and "{{" in line)
    branch_edit(repo, "pr-a", GREETING, "How can I help you today?", "What can I do for you?")
    branch_edit(repo, "pr-b", FAREWELL, farewell_line, farewell_line + " Take care!")
    for branch in ("pr-a", "pr-b"):
        repo.git("checkout", "-q", branch)
        code, out = validate_base_main(repo)
        assert code == 0, out
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--no-ff", branch, "-m", f"Merge {branch}")
    assert "version: 2\n" in repo.read(GREETING) and "version: 2\n" in repo.read(FAREWELL)
    assert "Take care!" in repo.read(FAREWELL)
    assert validate_base_main(repo)[0] == 0
