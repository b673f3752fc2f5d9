"""The README's test command is the one CI runs, word for word."""

from __future__ import annotations

from tests.support.gitrepo import PROJECT_ROOT


def _test_command(readme: str) -> str:
    after = readme.split("Run the tests", 1)[1]
    return after.split("```sh\n", 1)[1].split("\n", 1)[0]


def test_ci_runs_the_readme_test_command_then_the_slow_tests() -> None:
    command = _test_command((PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))
    assert command.endswith(".venv/bin/python -m pytest -q")
    lines = (PROJECT_ROOT / ".ci" / "run").read_text().splitlines()
    assert command in lines
    assert lines.index(".venv/bin/python -m pytest -q -m slow") > lines.index(command)
