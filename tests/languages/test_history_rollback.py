"""A translation's changes in `history` (its id carries the locale; --locale filters them), and
`rollback` of a translation: the old text back as a new version, on a branch to review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptsync.versionline import read_version
from tests.support.gitrepo import GitRepo
from tests.validate.corpus import Run, run_cli

pytestmark = pytest.mark.timeout(60)
FRENCH = "prompts/northwind/greeting.fr.yaml"
GERMAN = "prompts/northwind/greeting.de.yaml"


@pytest.fixture
def edited(tmp_path: Path) -> tuple[GitRepo, str]:
    """The project's prompts, then two edits of northwind's French greeting and one of its
    German one; returns the repository and the commit of the first French edit."""
    repo = GitRepo.init(tmp_path / "repo")
    repo.bump(FRENCH, "Quelle est votre prochaine aventure ?",
              "Quelle aventure préparez-vous ?")
    good = repo.commit("Plus direct")
    repo.bump(GERMAN, "Was haben Sie als Nächstes vor?", "Wohin geht die nächste Tour?")
    repo.commit("Kürzer")
    repo.bump(FRENCH, "Quelle aventure préparez-vous ?", "Alors, on part où ?")
    repo.commit("Trop familier")
    return repo, good


def cli(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> Run:
    return run_cli(capsys, *args, "--repo", str(repo.path))


def test_history_shows_and_filters_the_locale(edited: tuple[GitRepo, str],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = edited
    run = cli(capsys, repo, "history", "--brand", "northwind", "--locale", "FR", "--format",
              "json")
    assert run.code == 0, run.err
    changes = json.loads(run.out)
    assert [(c["prompt"], c["locale"], c["version_before"], c["version_after"], c["subject"])
            for c in changes][:2] == [
        ("northwind/greeting.fr", "fr", 2, 3, "Trop familier"),
        ("northwind/greeting.fr", "fr", 1, 2, "Plus direct")]
    assert {c["locale"] for c in changes} == {"fr"}
    text = cli(capsys, repo, "history", "northwind/greeting.de").out.splitlines()
    assert "update    northwind/greeting.de  v1 → v2" in text[0]
    assert cli(capsys, repo, "history", "--locale", "de_", "--brand", "x").code == 2


def test_a_translation_rolls_back_like_any_prompt(edited: tuple[GitRepo, str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo, good = edited
    head = repo.head()
    run = cli(capsys, repo, "rollback", "northwind/greeting.fr", "--to", good)
    assert run.code == 0, run.err
    branch = f"rollback/northwind-greeting.fr-{good[:7]}"
    assert f"Created branch {branch}" in run.out and "as version 4" in run.out
    # The German greeting rolled back to the same commit gets a branch of its own.
    german = cli(capsys, repo, "rollback", "northwind/greeting.de", "--to", good)
    assert german.code == 0 and f"rollback/northwind-greeting.de-{good[:7]}" in german.out
    tip = repo.head(branch)
    assert repo.git("diff", "--name-only", head, tip) == FRENCH
    restored = repo.git("show", f"{tip}:{FRENCH}") + "\n"
    assert read_version(restored.encode()) == 4
    assert "Quelle aventure préparez-vous ?" in restored
    assert "translated_from: 1\n" in restored and "locale: fr\n" in restored
    repo.git("checkout", "-q", branch)
    check = cli(capsys, repo, "validate", "--base", "main", "--no-cache")
    assert check.code == 0, check.out
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", branch)
    newest = json.loads(cli(capsys, repo, "history", "northwind/greeting.fr", "--format",
                            "json").out)[0]
    assert (newest["action"], newest["restores"], newest["locale"]) == ("rollback", good, "fr")
