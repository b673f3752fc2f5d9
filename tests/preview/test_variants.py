"""The pull-request preview shows each variant's change: what the variants became, and every
sample rendered with each variant's text before and after."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptsync.cli.main import main
from tests.support.gitrepo import GitRepo
from tests.support.variants import GREETING, greeting


@pytest.fixture
def prompt_repo(tmp_path: Path) -> GitRepo:
    """The project's own rules (the preview tests' frozen snapshot predates variants)."""
    return GitRepo.init(tmp_path / "repo")


def test_the_comment_renders_each_variant_and_says_what_changed(prompt_repo: GitRepo,
                                                               capsys) -> None:
    prompt_repo.write(GREETING, greeting(warm=30))
    prompt_repo.commit("acme's greeting tries a warmer text")
    prompt_repo.git("checkout", "-q", "-b", "try-short")
    text = greeting(version=2, warm=20, short=10).replace("lovely to see you",
                                                          "so good to see you")
    prompt_repo.write(GREETING, text)
    capsys.readouterr()
    assert main(["preview", "--changed", "--base", "main", "--format", "markdown", "--repo",
                 str(prompt_repo.path)]) == 0
    md = capsys.readouterr().out
    assert "| `acme/greeting` | ✏️ updated | 1 → 2 | 2 of 3 | +1 … ±0 |" in md
    assert "Variants: warm 30% → 20%, warm: text, +short 10%" in md
    assert "**basic** · 32 characters (±0) · rendered text unchanged" in md
    assert ("**basic · variant warm** · 60 → 61 characters (+1)\n\n```diff\n@@ -1 +1 @@\n"
            "-Hey there, lovely to see you at Acme! What can I do for you?\n"
            "+Hey there, so good to see you at Acme! What can I do for you?\n```") in md
    assert "**basic · variant short** · 21 characters\n\n```diff\n@@ -0,0 +1 @@\n" \
        "+Acme: how can I help?\n```" in md

    assert main(["preview", "--changed", "--base", "main", "--repo",
                 str(prompt_repo.path)]) == 0
    assert "  variants: warm 30% → 20%, warm: text, +short 10%" in capsys.readouterr().out
