"""`promptsync coverage` on real git repositories: the matrix, its sources, --ref, --strict."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.languages.files import BASE, BASE_TEXT, BRAND_FILE, translation
from tests.support.gitrepo import GitRepo
from tests.validate.corpus import Run, run_cli

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """The project's prompts (default and northwind speak de and fr; northwind's French farewell
    is stale) and acme, a brand with an English farewell of its own and nothing else."""
    repo = GitRepo.init(tmp_path / "repo")
    repo.write(BASE, BASE_TEXT)
    repo.commit("acme")
    return repo


def coverage(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> Run:
    return run_cli(capsys, "coverage", "--repo", str(repo.path), *args)


def row(run: Run, brand: str, type_slug: str) -> list[str]:
    """The text table's row of one brand and type, cell by cell."""
    for line in run.out.splitlines():
        fields = re.split(r"\s{2,}", line.strip())
        if fields[:2] == [brand, type_slug]:
            return fields[2:]
    raise AssertionError(f"no row {brand} {type_slug} in:\n{run.out}")


def cells(capsys: pytest.CaptureFixture[str], repo: GitRepo,
          *args: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    run = coverage(capsys, repo, "--format", "json", *args)
    assert run.code == 0, run.err
    return {(c["brand"], c["type"], c["locale"]): c for c in json.loads(run.out)["cells"]}


def test_each_cell_says_where_its_text_comes_from(repo: GitRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    found = cells(capsys, repo)
    assert {k[2] for k in found} == {"de", "fr"}  # the locales the brands declare
    own = found[("northwind", "GREETING", "de")]
    assert (own["source"], own["answered_by"]["path"]) == ("own",
                                                           "prompts/northwind/greeting.de.yaml")
    # Language before brand: acme's English farewell loses to default's German one.
    inherited = found[("acme", "FAREWELL", "de")]
    assert (inherited["source"], inherited["answered_by"]["path"]) == \
        ("inherited", "prompts/default/farewell.de.yaml")
    stale = found[("northwind", "FAREWELL", "fr")]
    assert (stale["source"], stale["stale"], stale["translated_from"], stale["base_version"]) \
        == ("own", True, 1, 2)
    assert not any(c["language_fallback"] for c in found.values())


def test_the_text_form_is_a_table_with_a_summary(repo: GitRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    run = coverage(capsys, repo, "--brand", "northwind")
    lines = run.out.splitlines()
    assert lines[0] == "coverage of the working tree: 1 brand, locales de, fr"
    assert lines[2].split() == ["brand", "type", "de", "fr"]
    assert row(run, "northwind", "farewell") == ["own", "own, stale: from v1, base now v2"]
    assert row(run, "northwind", "rejection") == ["default de", "default fr"]
    assert lines[-1] == "12 declared cells: 8 own, 4 inherited, 0 language fallbacks, 1 stale"


def test_a_declared_locale_without_a_text_in_its_language_fails_strict(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(BRAND_FILE, "language: en\nlocales: [de, it]\n")
    repo.commit("acme serves Italian, without Italian texts")
    run = coverage(capsys, repo, "--brand", "acme", "--locale", "IT")
    assert run.code == 0
    assert row(run, "acme", "farewell") == ["fallback: acme (en)"]
    assert row(run, "acme", "greeting") == ["fallback: default (en)"]
    assert run.out.splitlines()[-1] == \
        "6 declared cells: 0 own, 0 inherited, 6 language fallbacks, 0 stale"
    assert coverage(capsys, repo, "--brand", "acme", "--strict").code == 1
    # A translation fills the gap for the type it translates.
    repo.write("prompts/acme/farewell.it.yaml", translation(locale="it"))
    found = cells(capsys, repo, "--brand", "acme")
    assert found[("acme", "FAREWELL", "it")]["source"] == "own"
    assert found[("acme", "GREETING", "it")]["source"] == "fallback"
    # A brand's undeclared locale is shown but is no gap.
    assert coverage(capsys, repo, "--brand", "northwind", "--locale", "it", "--strict").code == 0


def test_ref_reads_a_commit_and_the_default_is_the_working_tree(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("prompts/acme/farewell.de.yaml", translation())
    before = cells(capsys, repo)[("acme", "FAREWELL", "de")]
    at_head = cells(capsys, repo, "--ref", "HEAD")[("acme", "FAREWELL", "de")]
    assert (before["source"], at_head["source"]) == ("own", "inherited")
    run = coverage(capsys, repo, "--ref", "HEAD")
    assert run.out.startswith(f"coverage of HEAD ({repo.head()[:7]}): ")


def test_the_built_in_text_answers_when_default_lacks_the_type(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    for path in sorted((repo.path / "prompts").glob("*/handoff*.yaml")):
        path.unlink()
    cell = cells(capsys, repo)[("acme", "HANDOFF", "de")]
    assert (cell["source"], cell["answered_by"], cell["language"]) == ("built-in", None, "en")


def test_a_file_that_does_not_validate_is_left_out_and_counted(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("prompts/northwind/greeting.de.yaml", "type: GREETING\nversion: [\n")
    run = coverage(capsys, repo, "--brand", "northwind")
    assert row(run, "northwind", "greeting") == ["default de", "own"]
    assert run.out.splitlines()[-1].endswith(
        "; 1 file left out (they do not validate: see promptsync validate)")


def test_markdown_marks_the_gaps(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(BRAND_FILE, "language: en\nlocales: [it]\n")
    run = coverage(capsys, repo, "--brand", "acme", "--format", "markdown")
    assert run.out.startswith("### Language coverage of the working tree\n\n"
                              "| brand | type | `it` |")
    assert "| `acme` | farewell | ⚠ fallback: acme (en) |" in run.out


@pytest.mark.parametrize(("args", "message"), [
    (("--brand", "nobody"), "there is no brand 'nobody' in the working tree"),
    (("--brand", "Not A Brand"), "is not a brand"),
    (("--locale", "de_CH_x"), "--locale: 'de_CH_x' is not a locale tag"),
])
def test_bad_arguments_exit_2_with_one_line(repo: GitRepo, capsys: pytest.CaptureFixture[str],
                                           args: tuple[str, ...], message: str) -> None:
    run = coverage(capsys, repo, *args)
    assert run.code == 2 and message in run.err and "Traceback" not in run.err
