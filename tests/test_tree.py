"""One tree: CI (the working tree), a commit and the daemon's gate see the same files and reach
the same verdict, for every case of the example corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptsync.daemon.gate import Gate
from promptsync.gitio.repo import GitRepository
from promptsync.tree import SourceFile, is_prompt_candidate, is_tracked, working_tree
from promptsync.validate import Finding, Validator
from tests.support.gitrepo import GitRepo
from tests.validate.corpus import Case, build_repository, cases, params

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


# Which files a tree holds and the checks across files are what can differ between the two
# sides (the per-file checks see the same blobs, asserted below): those cases run by default,
# the whole corpus in the slow pass.
ACROSS_FILES = ("file-", "path-", "rules-", "default-", "duplicate-", "translation", "translated-",
                "locale-", "stale-", "brand-", "hidden", "symlink")
DEFAULT_RUN = {c.name for c in CORPUS if c.name.startswith(ACROSS_FILES)}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", params(CORPUS, DEFAULT_RUN))
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


# What stands where a prompt file is expected: a submodule, a symbolic link.

def replace_with_gitlink(repo: GitRepo, path: str) -> str:
    """Commit a submodule entry (mode 160000) where the prompt file was, as `git submodule add`
    over a deleted file would."""
    repo.remove(path)
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{repo.head()},{path}")
    repo.git("commit", "-q", "-m", "A submodule where the prompt was")
    return repo.head()


GITLINK_PATH = "prompts/northwind/farewell.yaml"


@pytest.mark.timeout(60)
def test_a_gitlink_replacing_a_prompt_is_a_finding_not_a_silent_deletion(
        prompt_repo: GitRepo) -> None:
    published = prompt_repo.head()
    target = replace_with_gitlink(prompt_repo, GITLINK_PATH)
    with GitRepository(prompt_repo.path) as git:
        tree = git.tree("HEAD")
        [entry] = [f for f in tree.files if f.path == GITLINK_PATH]
        assert entry.is_gitlink and entry.read() == b""
        report = VALIDATOR.validate(tree.files)
        gate = Gate(VALIDATOR)
        gate.passed = published  # the daemon published the commit before
        verdict = gate.check(git, published, target, lambda: True)
    assert _places(report.findings) == [(GITLINK_PATH, 1, 1, "file-gitlink")]
    assert verdict.errors == [
        f"{GITLINK_PATH}:1:1: error: a submodule (another repository) stands where a file is "
        "expected; its files are not read (remove the submodule and commit the prompt file "
        "itself) [file-gitlink]"]


@pytest.mark.timeout(60)
def test_a_checked_out_submodule_is_the_same_finding_in_the_working_tree(
        prompt_repo: GitRepo) -> None:
    (prompt_repo.path / GITLINK_PATH).unlink()
    GitRepo.init(prompt_repo.path / GITLINK_PATH, with_project_prompts=False)
    (prompt_repo.path / GITLINK_PATH / "prompts").mkdir()
    (prompt_repo.path / GITLINK_PATH / "prompts" / "x.yaml").write_text("not ours\n")
    tree = working_tree(prompt_repo.path)
    assert [f.path for f in tree.files if f.is_gitlink] == [GITLINK_PATH]
    assert not any(f.path.startswith(f"{GITLINK_PATH}/") for f in tree.files)
    report = VALIDATOR.validate(tree.files)
    assert _places(report.findings) == [(GITLINK_PATH, 1, 1, "file-gitlink")]


@pytest.mark.parametrize("link, target, leaves", [
    ("prompts/acme/greeting.yaml", "farewell.yaml", False),
    ("prompts/acme/greeting.yaml", "../acme/farewell.yaml", False),
    ("prompts/acme/greeting.yaml", "../default/greeting.yaml", False),
    ("prompts/acme/greeting.yaml", "../../README.md", False),
    ("prompts/acme/greeting.yaml", "../../../etc/hostname", True),
    ("prompts/acme/greeting.yaml", "/etc/passwd", True),
    ("prompts/acme", "..", False),  # the repository's root
    ("prompts/acme", "../..", True),
])
def test_a_link_leaves_the_repository_only_when_its_target_does(link: str, target: str,
                                                                 leaves: bool) -> None:
    source = SourceFile(link, "b", bytes, True, target)
    assert source.link_leaves_repository is leaves


@pytest.mark.parametrize("target, said", [
    ("../default/greeting.yaml", "a symbolic link (to '../default/greeting.yaml') is not "),
    ("../../../../etc/hostname", "a symbolic link (to outside the repository "
                                 "'../../../../etc/hostname') is not "),
])
def test_the_symlink_message_says_outside_only_for_a_link_that_leaves(
        prompt_repo: GitRepo, target: str, said: str) -> None:
    link = prompt_repo.path / "prompts" / "acme" / "greeting.yaml"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    report = VALIDATOR.validate(working_tree(prompt_repo.path).files)
    [finding] = [f for f in report.findings if f.code == "file-symlink"]
    assert finding.message.startswith(said)
