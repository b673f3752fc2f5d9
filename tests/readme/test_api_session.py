"""The README's curl session (keys, reads, preview; edits, 409 and audit when the write side
adds them) is real output of a real `promptsync serve`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.readme.api_session import session, transcript
from tests.readme.harness import normalise


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")),
                    reason="the README's session uses curl and jq, and one is not installed")
@pytest.mark.timeout(300)
def test_the_readme_curl_session_prints_what_the_readme_shows(tmp_path: Path) -> None:
    shown = session()
    assert len(shown) >= 5, "the README's API session lost its commands"
    real = transcript(tmp_path, [command for command, _ in shown])
    for (command, expected), got in zip(shown, real, strict=True):
        assert normalise(got) == normalise(expected), (
            f"README: `{command}` prints something else now.\n--- README\n{expected}\n"
            f"--- real output\n{got}")


def test_the_session_is_read_command_by_command() -> None:
    text = ("x\n<!-- readme: tested by tests/readme/test_api_session.py -->\n\n```console\n"
            "$ a\none\ntwo\n$ b\n```\n")
    assert session(text) == [("a", "one\ntwo"), ("b", "")]
