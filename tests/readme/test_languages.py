"""The README's "Languages" section: its commands run here, on the project's prompts with the
history the project has (northwind's farewell at version 1, then 2, its French translation
left at 1), and print what the README shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.readme.harness import check
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

FAREWELL = "prompts/northwind/farewell.yaml"
FAREWELL_DE = "prompts/northwind/farewell.de.yaml"
GREETING_DE = "prompts/default/greeting.de.yaml"
COMMANDS = (
    "promptsync validate --strict --allow stale-translation",
    "promptsync coverage",
    'promptsync preview harbor-bank/greeting --locale de-CH --sample "neuer Besuch"',
    "promptsync preview --changed --base main",
)


def languages_repo(root: Path) -> GitRepo:
    """The project's prompts, committed as the project committed its farewell: version 1 (when
    the French text was made), then version 2."""
    repo = GitRepo.init(root, with_project_prompts=False)
    shutil.copytree(PROJECT_ROOT / "prompts", root / "prompts")
    shutil.copytree(PROJECT_ROOT / "schema", root / "schema")
    now = repo.read(FAREWELL)
    repo.write(FAREWELL, now.replace("stay warm and dry", "stay dry").replace("version: 2",
                                                                              "version: 1"))
    repo.commit("Import the prompts")
    repo.write(FAREWELL, now)
    repo.commit("Warmer farewell")
    return repo


@pytest.mark.timeout(120)
def test_the_languages_section_shows_real_output(tmp_path: Path) -> None:
    repo = languages_repo(tmp_path / "repo")
    good = repo.read(FAREWELL_DE)
    repo.write(FAREWELL_DE, good.replace("translated_from: 2", "translated_from: 3"))
    check(COMMANDS[0], repo.path)
    repo.write(FAREWELL_DE, good)
    check(COMMANDS[1], repo.path)
    check(COMMANDS[2], repo.path)
    repo.git("checkout", "-q", "-b", "warmer-german-greeting")
    repo.bump(GREETING_DE, "Wie kann ich Ihnen heute helfen?",
              "Womit kann ich Ihnen heute helfen?")
    check(COMMANDS[3], repo.path)
