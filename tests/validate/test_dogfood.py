"""The project's own prompts validate clean, and validation is a function of the files alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from promptsync.validate.validator import PARALLEL_THRESHOLD
from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.validate.corpus import (
    ALLOW_STALE,
    DELIBERATELY_STALE,
    cases,
    project_prompt_files,
    run_cli,
    run_subprocess,
)

# Broken files from the corpus, each in a brand of its own, for a run with many findings.
MIXED = ("yaml-anchor-billion-laughs", "template-unsafe-mro-chain", "variable-undeclared-typo",
         "sample-timeout-nested-loops", "sample-too-long-repeat", "schema-enum-type-typo",
         "python-format-next-to-jinja", "file-binary-png")


def mixed_repository(root: Path) -> Path:
    """The project's prompts plus several broken greetings, one per brand."""
    shutil.copytree(PROJECT_ROOT / "prompts", root / "prompts")
    shutil.copytree(PROJECT_ROOT / "schema", root / "schema")
    by_name = {c.name: c for c in cases("invalid")}
    for name in MIXED:
        source = by_name[name].folder / "prompts" / "acme" / "greeting.yaml"
        target = root / "prompts" / name[:60] / "greeting.yaml"
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)
    return root


def test_the_project_prompts_validate_clean(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "validate", "--repo", str(PROJECT_ROOT), "--no-cache", "--strict",
                  *ALLOW_STALE, "--format", "json")
    assert run.code == 0, run.out
    # One warning, kept on purpose so `coverage` and the README have a stale translation to show.
    assert [(f["path"], f["code"]) for f in run.payload["findings"]] == \
        [(DELIBERATELY_STALE, "stale-translation")]
    assert run.payload["files_checked"] == len(list((PROJECT_ROOT / "prompts").rglob("*.yaml")))


@pytest.mark.timeout(60)
def test_the_project_prompts_validate_clean_from_the_repository_root() -> None:
    run = run_subprocess("validate", "--no-cache", "--strict", *ALLOW_STALE, cwd=PROJECT_ROOT)
    assert run.code == 0, run.out + run.err
    assert run.out.startswith(f"{DELIBERATELY_STALE}:5:1: warning: stale translation")
    assert run.out.splitlines()[-1].startswith("0 errors, 1 warning")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("form", ["text", pytest.param("json", marks=pytest.mark.slow),
                                  pytest.param("github", marks=pytest.mark.slow)])
def test_two_runs_print_the_same(form: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    repo = mixed_repository(tmp_path / "repo")
    first = run_cli(capsys, "validate", "--repo", str(repo), "--format", form)
    second = run_cli(capsys, "validate", "--repo", str(repo), "--format", form)
    assert first.code == second.code == 1
    assert first.out == second.out
    for name in MIXED:
        assert f"prompts/{name[:60]}/greeting.yaml" in first.out


@pytest.mark.timeout(60)
def test_cached_runs_of_a_git_repository_print_what_a_fresh_run_prints(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = GitRepo.init(tmp_path / "repo", with_project_prompts=False)
    mixed_repository(repo.path)
    repo.commit("Broken prompts")
    fresh = run_cli(capsys, "validate", "--repo", str(repo.path), "--no-cache")
    first = run_cli(capsys, "validate", "--repo", str(repo.path))
    assert (repo.path / ".git" / "promptsync").is_dir()
    second = run_cli(capsys, "validate", "--repo", str(repo.path))
    assert fresh.out == first.out == second.out
    assert fresh.code == first.code == second.code == 1


@pytest.mark.timeout(120)
@pytest.mark.parametrize("copies", [1, pytest.param(3, marks=pytest.mark.slow)],
                         ids=["serial", "process-pool"])  # the pool's own tests stay by default
def test_every_bad_file_of_the_corpus_is_reported_in_one_run(
        copies: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Every case that breaks only acme's greeting, moved to a brand of its own; three copies
    # make more files than the Validator checks serially, so they go through its process pool.
    root = tmp_path / "repo"
    shutil.copytree(PROJECT_ROOT / "prompts", root / "prompts")
    shutil.copytree(PROJECT_ROOT / "schema", root / "schema")
    wanted: list[tuple[str, int, str]] = []
    simple = [c for c in cases("invalid") if c.files == ["prompts/acme/greeting.yaml"]
              and not (c.args or c.pad or c.known_bug or c.base)]
    for copy in range(copies):
        for number, case in enumerate(simple):
            brand = f"c{copy}-{number:03d}"
            target = root / "prompts" / brand / "greeting.yaml"
            target.parent.mkdir(parents=True)
            shutil.copyfile(case.folder / case.files[0], target)
            wanted += [(f"prompts/{brand}/greeting.yaml", f["line"], f["code"])
                       for f in case.findings]
    assert copies == 1 or len(simple) * copies > PARALLEL_THRESHOLD
    run = run_cli(capsys, "validate", "--repo", str(root), "--format", "json")
    reported = {(f["path"], f["line"], f["code"]) for f in run.findings}
    assert len(simple) > 60
    assert set(wanted) <= reported
    assert run.payload["files_checked"] == len(simple) * copies + len(project_prompt_files())
