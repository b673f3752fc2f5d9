"""The README's guide for prompt editors, sections 1 and 2, replayed on this repository's own
prompts: the same edit, the same commands, the output the README shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readme.harness import check, examples, normalise, run
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

GREETING = "prompts/default/greeting.yaml"


def edit(repo: GitRepo, *changes: tuple[str, str]) -> None:
    text = repo.read(GREETING)
    for old, new in changes:
        assert old in text, f"{old!r} is no longer in {GREETING}: update the README's story"
        text = text.replace(old, new)
    repo.write(GREETING, text)


@pytest.fixture
def prompt_repo(snapshot_repo: GitRepo) -> GitRepo:
    # The guide walks an editor through their own prompt repository: the snapshot's prompts,
    # so its texts stay true when the project's example content grows (translations, a stale
    # one among them, would add lines about other files to every run).
    return snapshot_repo


def test_sections_1_and_2_show_real_output(prompt_repo: GitRepo) -> None:
    # 1. Change a prompt: ask by name, with two mistakes.
    edit(prompt_repo, ("{{ brand_name }}!", "{{ brand }}!"),
         ("How can I help you today?", "What can I do for you today, {user_name}?"))
    check("promptsync validate", prompt_repo.path)
    edit(prompt_repo, ("{{ brand }}!", "{{ brand_name }}!"), ("{user_name}?", "{{ user_name }}?"))
    check("promptsync validate --base main", prompt_repo.path)
    edit(prompt_repo, ("version: 1\n", "version: 2\n"))
    assert normalise(run("promptsync validate --base main", prompt_repo.path)) == \
        "all good: 15 prompt files checked; versions checked against main (<sha>)"
    check('promptsync preview default/greeting --sample "returning customer"', prompt_repo.path)
    check("promptsync preview default/greeting --var brand_name=Globex --var user_name=Dana",
          prompt_repo.path)
    # 2. What CI says: the pull request's comment, then the fix the README suggests.
    comment = "promptsync preview --changed --base main --format markdown"
    check(comment, prompt_repo.path)
    edit(prompt_repo, ("today, {{ user_name }}?",
                       "today{% if user_name %}, {{ user_name }}{% endif %}?"))
    assert "\n+What can I do for you today?\n" in run(comment, prompt_repo.path)


def test_every_example_is_run_here_or_names_the_test_that_runs_it() -> None:
    here = {"promptsync validate", "promptsync validate --base main",
            'promptsync preview default/greeting --sample "returning customer"',
            "promptsync preview default/greeting --var brand_name=Globex --var user_name=Dana",
            "promptsync preview --changed --base main --format markdown"}
    shown = examples()
    assert here <= {e.command for e in shown}
    for e in shown:
        if e.command not in here:
            assert e.tested_by, f"README.md:{e.line}: `{e.command}` is run by no test"
            assert (PROJECT_ROOT / e.tested_by).exists(), f"README.md:{e.line}: {e.tested_by}"


@pytest.mark.parametrize(("text", "expected"), [
    ("main (e9861b1) at 2026-11-02 10:30", "main (<sha>) at <date>"),
    ("applied at 2026-11-26T02:06:22.362327+00:00 in 12.5 ms  ", "applied at <date> in <duration>"),
    ("took 0.28 s, 15 checked", "took <duration>, 15 checked"),
])
def test_what_varies_between_runs_is_normalised(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_the_harness_reads_commands_markers_and_quoted_output(tmp_path: Path) -> None:
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
