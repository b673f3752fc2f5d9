"""The README's "Variants" section: its file is the one these commands run on (the project's
prompts beside it), and they print what the README shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readme.harness import README, check
from tests.support.gitrepo import GitRepo
from tests.support.variants import GREETING, greeting


@pytest.mark.timeout(120)
def test_the_variants_section_shows_real_output(tmp_path: Path) -> None:
    shown = greeting(warm=20, short=10)
    assert f"```yaml\n{shown}```" in README.read_text(encoding="utf-8")
    repo = GitRepo.init(tmp_path / "repo")
    repo.write(GREETING, greeting(warm=20, short=90))
    check("promptsync validate prompts/acme/greeting.yaml", repo.path)
    repo.write(GREETING, shown)
    check("promptsync preview acme/greeting --variant warm --sample basic", repo.path)
