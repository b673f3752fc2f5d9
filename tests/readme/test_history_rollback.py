"""The README's history and rollback blocks are what tests/readme/history_rollback.py prints:
real output of real commands on a real repository. Commit ids are compared by their places
(the same id wherever the README repeats it), so a change that moves every id still passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.readme.history_rollback import ROOT, transcript

COMMANDS = ("$ promptsync history", "$ promptsync rollback")
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SHA = re.compile(r"\b[0-9a-f]{7}\b")


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block for block in FENCE.findall(text) if block.startswith(COMMANDS)]


def by_place(blocks: list[str]) -> list[str]:
    """The blocks with each commit id replaced by <sha N>, N its order of first appearance."""
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<sha {len(names) + 1}>")

    return [SHA.sub(name, block) for block in blocks]


@pytest.mark.timeout(120)
def test_the_readme_shows_the_real_history_and_rollback_output(tmp_path: Path) -> None:
    real = [f"{command}\n{output}" for command, output in transcript(tmp_path / "demo")]
    assert by_place(readme_blocks()) == by_place(real)


def test_ids_are_compared_by_place_not_ignored() -> None:
    assert by_place(["a 1234abc b 1234abc"]) == by_place(["a 9999fff b 9999fff"])
    assert by_place(["a 1234abc b 1234abc"]) != by_place(["a 1234abc b 9999fff"])
