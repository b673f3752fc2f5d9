"""The README's walkthrough ("For prompt editors" and "Languages") is real output: each step
runs in a fresh clone of this repository as shipped (tests/readme/walkthrough.py), and every
output block the README shows for it is what the command prints there. A block that drifts
fails here; `python tests/readme/walkthrough.py --write` regenerates them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readme.harness import examples, normalise, rewrite
from tests.readme.walkthrough import SECTIONS, fresh_clone, shown
from tests.support.gitrepo import PROJECT_ROOT


def _first_commands() -> list[str]:
    """The README's fenced `sh` blocks, in order: the first two are the fresh-machine ones."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return [block.split("\n```", 1)[0] for block in text.split("```sh\n")[1:]]


@pytest.mark.timeout(240)
def test_every_block_of_the_walkthrough_is_what_a_fresh_clone_prints(tmp_path: Path) -> None:
    places = shown()
    steps = []
    for n, section in enumerate(SECTIONS):
        (tmp_path / str(n)).mkdir()
        steps += section(fresh_clone(tmp_path / str(n)))
    assert [e.command for e in places] == [command for command, _ in steps], (
        "the README's walkthrough and tests/readme/walkthrough.py list other commands")
    for example, (command, output) in zip(places, steps, strict=True):
        assert normalise(output) == normalise(example.output), (
            f"README.md:{example.line}: `{command}` prints something else in a fresh clone "
            f"(python tests/readme/walkthrough.py --write).\n--- README\n{example.output}\n"
            f"--- real output\n{output}")


def test_the_readme_starts_with_the_two_fresh_machine_commands_then_says_how_to_run_promptsync(
) -> None:
    first, tests = _first_commands()[:2]
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -q -e . && ")
    assert tests.startswith("python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'")
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    first_bare = min(text.index("\n$ promptsync"), text.index("\npromptsync "))
    told = text.find("source .venv/bin/activate")
    assert 0 < told < first_bare, (
        "say how `promptsync` gets on PATH (the virtual environment) before the first "
        "command written as a bare `promptsync`")


def test_every_example_is_run_here_or_names_the_test_that_runs_it() -> None:
    for e in examples():
        if e.tested_by:
            assert (PROJECT_ROOT / e.tested_by).exists(), f"README.md:{e.line}: {e.tested_by}"
    assert len(shown()) >= 10


@pytest.mark.parametrize(("text", "expected"), [
    ("main (e9861b1) at 2026-11-02 10:30", "main (<sha>) at <date>"),
    ("applied at 2026-11-26T02:06:22.362327+00:00 in 12.5 ms  ", "applied at <date> in <duration>"),
    ("took 0.28 s, 15 checked", "took <duration>, 15 checked"),
])
def test_what_varies_between_runs_is_normalised(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_the_harness_reads_commands_markers_and_quoted_output() -> None:
    text = "\n".join([
        "```", "$ promptsync a", "out a", "", "$ promptsync b --x 'y z'", "out b", "```",
        "<!-- readme: tested by tests/history/ -->", "```", "$ promptsync c", "out c", "```",
        "```sh", "promptsync not-an-example", "```",
        "<!-- readme: output of `promptsync d` -->", "", "> quoted", ">", "> ```diff", "> +x",
        "> ```", "after"])
    assert [(e.command, e.output, e.tested_by) for e in examples(text)] == [
        ("promptsync a", "out a", None), ("promptsync b --x 'y z'", "out b", None),
        ("promptsync c", "out c", "tests/history/"),
        ("promptsync d", "quoted\n\n```diff\n+x\n```", None)]


def test_the_blocks_are_regenerated_in_place() -> None:
    text = "\n".join(["```", "$ promptsync a", "old a", "", "$ promptsync b", "old b", "```",
                      "<!-- readme: output of `promptsync d` -->", "", "> old", "after", ""])
    a, b, d = examples(text)
    new = rewrite(text, [(a, "new a\nmore\n"), (b, "new b"), (d, "x\n\ny")])
    assert [(e.command, e.output) for e in examples(new)] == [
        ("promptsync a", "new a\nmore"), ("promptsync b", "new b"), ("promptsync d", "x\n\ny")]
    assert new.endswith("> x\n>\n> y\nafter\n")
