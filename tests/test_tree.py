"""One tree: CI (the working tree), a commit and the daemon's gate see the same files and reach
the same verdict, for every case of the example corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptsync.daemon.gate import Gate
from promptsync.gitio.repo import GitRepository
from promptsync.tree import is_prompt_candidate, is_tracked, working_tree
from promptsync.validate import Finding, Validator
from tests.support.gitrepo import GitRepo
from tests.validate.corpus import Case, build_repository, cases

# A named pipe cannot be committed; every other case can.
CORPUS = [c for c in cases("invalid") + cases("valid") if not c.fifos]
# One validator for every run: per-file results are keyed by blob id, path and rules, and the
# test asserts the blobs are the same, so what it compares is which files each side holds and
# the checks across files; the project's own files are then checked once, not 600 times.
VALIDATOR = Validator(workers=1)


@pytest.mark.parametrize("path, tracked", [
    ("prompts/acme/greeting.yaml", True), ("schema/variables.yaml", True),
    ("prompts/acme/.gitkeep", False), ("prompts/.drafts/greeting.yaml", False),
    (".github/workflows/prompts.yml", False), ("README.md", False), ("prompts", False),
])
def test_the_one_path_filter(path: str, tracked: bool) -> None:
    assert is_tracked(path) is tracked


def test_a_readme_beside_the_prompts_is_tracked_but_not_a_prompt() -> None:
    assert is_tracked("prompts/README.md") and not is_prompt_candidate("prompts/README.md")


def _places(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return sorted((f.path, f.line, f.column, f.code) for f in findings)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_ci_and_the_daemon_see_the_same_tree(case: Case, tmp_path: Path) -> None:
    root = build_repository(case, tmp_path / "repo")
    if not (root / ".git").exists():
        GitRepo.init(root, with_project_prompts=False)
    repo = GitRepo(root)
    repo.commit("the case, as pushed")
    ci = working_tree(root)
    ci_report = VALIDATOR.validate(ci.files)
    with GitRepository(root) as git:
        committed = git.tree("HEAD")
        assert [f.path for f in committed.files] == [f.path for f in ci.files]
        assert [f.blob for f in committed.files] == [f.blob for f in ci.files]
        commit_report = VALIDATOR.validate(committed.files)
        verdict = Gate(VALIDATOR).check(git, None, repo.head(), lambda: True)
    assert _places(commit_report.findings) == _places(ci_report.findings)
    assert verdict.errors == [f.as_text() for f in ci_report.errors]
