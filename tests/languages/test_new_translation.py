"""Issue 10's "done when", the file side: a user adds prompts/northwind/greeting.fr.yaml and
sees validate, preview --locale fr, coverage and the pull request's reach list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.gitrepo import GitRepo
from tests.validate.corpus import run_cli

pytestmark = pytest.mark.timeout(90)
FRENCH = "prompts/northwind/greeting.fr.yaml"


def test_a_new_french_greeting_from_validate_to_the_reach_list(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    text = repo.read(FRENCH)
    repo.remove(FRENCH)
    repo.commit("Before northwind spoke French")
    repo.git("checkout", "-q", "-b", "northwind-in-french")
    repo.write(FRENCH, text)
    where = ("--repo", str(repo.path))

    check = run_cli(capsys, "validate", "--base", "main", "--format", "json", *where)
    assert check.code == 0
    assert {f["path"] for f in check.payload["findings"]} <= {
        "prompts/northwind/farewell.fr.yaml"}  # the project's deliberately stale one

    shown = run_cli(capsys, "preview", "northwind/greeting", "--locale", "fr-CA", "--sample",
                    "première visite", *where)
    assert shown.err.strip() == "northwind/greeting in fr-CA: answered by northwind/greeting.fr"
    assert shown.out.startswith("Bonjour — bienvenue chez Northwind Outfitters !")

    cells = json.loads(run_cli(capsys, "coverage", "--brand", "northwind", "--locale", "fr",
                               "--format", "json", *where).out)["cells"]
    greeting = next(c for c in cells if c["type"] == "GREETING")
    assert (greeting["source"], greeting["answered_by"]["path"]) == ("own", FRENCH)

    comment = run_cli(capsys, "preview", "--changed", "--base", "main", "--format", "markdown",
                      *where).out
    assert "#### What this change reaches: 1 brand and locale pair\n" in comment
    assert "| `northwind` | `fr` | greeting: `default/greeting.fr` → " \
           "`northwind/greeting.fr` |" in comment
