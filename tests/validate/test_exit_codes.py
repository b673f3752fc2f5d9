"""Exit status: 0 no errors, 1 errors found, 2 the command itself could not run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.gitrepo import PROJECT_ROOT
from tests.validate.corpus import run_cli, run_subprocess


def project_copy(root: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "prompts", root / "prompts")
    shutil.copytree(PROJECT_ROOT / "schema", root / "schema")
    return root


def one_line_error(stderr: str) -> None:
    """One line says what is wrong (argparse prints its usage before it)."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert lines[-1].startswith("promptsync") and ": error: " in lines[-1]
    assert sum("error" in line for line in lines) == 1
    assert all(line.startswith(("usage:", " ")) for line in lines[:-1])


def test_clean_repository_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "validate", "--repo", str(project_copy(tmp_path)))
    assert run.code == 0


def test_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = project_copy(tmp_path)
    (repo / "prompts/default/greeting.yaml").write_text("type: [\n", encoding="utf-8")
    assert run_cli(capsys, "validate", "--repo", str(repo)).code == 1


def test_warnings_exit_0_and_1_with_strict(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    repo = project_copy(tmp_path)
    # A variable declared and never used: a warning, the one kind there is.
    (repo / "prompts/acme").mkdir()
    (repo / "prompts/acme/farewell.yaml").write_text(
        "type: FAREWELL\nversion: 1\nvariables:\n  brand_name: {type: string, required: true}\n"
        "template: Goodbye!\n", encoding="utf-8")
    assert run_cli(capsys, "validate", "--repo", str(repo)).code == 0
    run = run_cli(capsys, "validate", "--repo", str(repo), "--strict")
    assert run.code == 1
    assert "[variable-unused]" in run.out


@pytest.mark.parametrize("args", [
    ["--format", "xml"],
    ["--no-such-option"],
    ["--repo"],
], ids=["unknown-format", "unknown-option", "missing-value"])
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(capsys, "validate", *args)
    assert exited.value.code == 2
    one_line_error(capsys.readouterr().err)


def test_repo_that_does_not_exist_exits_2(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "validate", "--repo", str(tmp_path / "nowhere"))
    assert run.code == 2
    one_line_error(run.err)
    assert "not a directory" in run.err


def test_repo_that_is_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file.txt").write_text("not a repository")
    run = run_cli(capsys, "validate", "--repo", str(tmp_path / "file.txt"))
    assert run.code == 2
    one_line_error(run.err)


@pytest.mark.parametrize("layout", ["empty", "prompts-only"])
def test_repo_without_schema_exits_2(layout: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    if layout == "prompts-only":
        shutil.copytree(PROJECT_ROOT / "prompts", tmp_path / "prompts")
    run = run_cli(capsys, "validate", "--repo", str(tmp_path))
    assert run.code == 2
    one_line_error(run.err)
    assert "schema/" in run.err


def test_path_outside_the_repository_exits_2(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo = project_copy(tmp_path / "repo")
    (tmp_path / "stray.yaml").write_text("type: GREETING\n")
    run = run_cli(capsys, "validate", "--repo", str(repo), str(tmp_path / "stray.yaml"))
    assert run.code == 2
    one_line_error(run.err)


def test_path_that_does_not_exist_exits_2(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    repo = project_copy(tmp_path)
    run = run_cli(capsys, "validate", "--repo", str(repo), str(repo / "prompts/nope.yaml"))
    assert run.code == 2
    one_line_error(run.err)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("args", [
    ["validate", "--format", "xml"],
    ["validate", "--repo", "/nonexistent/promptsync-repo"],
    ["validate", "--repo", "/"],
], ids=["bad-format", "missing-repo", "no-schema"])
def test_exit_2_from_a_real_process(args: list[str]) -> None:
    run = run_subprocess(*args)
    assert run.code == 2
    one_line_error(run.err)
    assert run.out == ""
