"""The optimistic lock holds for translations: the project's .gitattributes sends them through
the version merge driver, so two pull requests that edit one translation conflict on its
`version:` line (and nowhere else when their edits do not overlap)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.support.gitrepo import PROJECT_ROOT, GitRepo

FRENCH = "prompts/northwind/greeting.fr.yaml"
CONFLICT = re.compile(r"<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n", re.DOTALL)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "repo")
    repo.git("config", "merge.promptsync-version.driver",
             f"env PYTHONPATH={PROJECT_ROOT} {sys.executable} -m promptsync.mergedriver "
             "%O %A %B %P")
    repo.write(".gitattributes", (PROJECT_ROOT / ".gitattributes").read_text())
    repo.commit("The project's attributes")
    return repo


def branch_edit(repo: GitRepo, branch: str, old: str, new: str) -> None:
    repo.git("checkout", "-q", "-b", branch, "main")
    repo.bump(FRENCH, old, new)
    repo.commit(f"{branch}: {new}")
    repo.git("checkout", "-q", "main")


def test_translations_and_brand_files_go_through_the_driver(repo: GitRepo) -> None:
    for path in (FRENCH, "prompts/default/farewell.de.yaml", "prompts/northwind/brand.yaml"):
        assert repo.git("check-attr", "merge", "--", path).endswith("merge: promptsync-version")


@pytest.mark.timeout(120)
def test_two_edits_of_one_translation_conflict_on_its_version_line(repo: GitRepo) -> None:
    branch_edit(repo, "pr-a", "Bonjour {{ user_name }}", "Salut {{ user_name }}")
    branch_edit(repo, "pr-b", "Quelle est votre prochaine aventure ?",
                "Quelle aventure préparez-vous ?")
    repo.git("merge", "-q", "--no-ff", "pr-a", "-m", "Merge pr-a")
    repo.git("checkout", "-q", "pr-b")
    repo.git("merge", "-q", "main", check=False)
    assert repo.git("diff", "--name-only", "--diff-filter=U") == FRENCH
    text = repo.read(FRENCH)
    assert CONFLICT.findall(text) == [("version: 2\n", "version: 2\n")]
    # Both edits are kept around the conflict; translated_from is untouched.
    assert "Salut {{ user_name }}" in text and "Quelle aventure préparez-vous ?" in text
    assert "translated_from: 1\n" in text
