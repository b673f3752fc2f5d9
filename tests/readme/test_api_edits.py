"""The README's curl session of edits (PUT, 409, audit log) is what tests/readme/api_edits.py
prints: real output of real requests to a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readme.api_edits import COMMANDS, ROOT, transcript, unvarying
from tests.readme.harness import normalise

MARKER = "<!-- readme: tested by tests/readme/test_api_edits.py -->"


def readme_session() -> list[tuple[str, str]]:
    """(command, output) of each `$ curl` line of the README's block after the marker."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(MARKER) == 1, "the README's edit session is not marked once"
    block = text.split(MARKER, 1)[1].split("```", 2)[1].split("\n", 1)[1]
    pairs: list[tuple[str, str]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], ""))
        elif pairs:
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]}{line}\n")
    return pairs


def comparable(output: str) -> str:
    return normalise(unvarying(output))


@pytest.mark.timeout(120)
def test_the_readme_shows_the_real_put_conflict_and_audit_output(tmp_path: Path) -> None:
    shown = readme_session()
    assert [command for command, _ in shown] == COMMANDS
    real = transcript(tmp_path)
    for (command, readme_output), (_, output) in zip(shown, real, strict=True):
        assert comparable(readme_output) == comparable(output), (
            f"README.md: `{command[:60]}...` prints something else now.\n"
            f"--- README\n{readme_output}\n--- real output\n{output}")


def test_what_varies_with_timing_is_all_that_is_left_out() -> None:
    assert unvarying('"live": true, "x": 1') == unvarying('"live": false, "x": 1')
    assert unvarying('"live": true, "x": 1') != unvarying('"live": true, "x": 2')
