"""The blob-keyed result cache and the process pool must never change what validation reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from promptsync.cli.main import main
from promptsync.tree import from_directory
from promptsync.validate import Validator
from tests.support.gitrepo import GitRepo

BROKEN_GREETING = """type: GREETING
version: 1
template: |
  Hello {{ usr_name }}
"""


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["validate", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_second_run_reads_the_cache_and_reports_the_same(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN_GREETING)
    first = run_json(capsys, "--repo", str(prompt_repo.path))
    cache = prompt_repo.path / ".git" / "promptsync" / "validate-cache.json"
    assert cache.exists()
    second = run_json(capsys, "--repo", str(prompt_repo.path))
    assert first == second
    assert first[0] == 1
    assert {f["code"] for f in first[1]["findings"]} == {"variable-undeclared"}


def test_an_edited_file_is_checked_again(prompt_repo: GitRepo,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--repo", str(prompt_repo.path))[0] == 0
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN_GREETING)
    code, out = run_json(capsys, "--repo", str(prompt_repo.path))
    assert code == 1
    assert out["findings"][0]["path"] == "prompts/acme/greeting.yaml"


def test_a_stricter_schema_rechecks_unchanged_files(prompt_repo: GitRepo,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--repo", str(prompt_repo.path))[0] == 0
    schema_path = prompt_repo.path / "schema" / "prompt.schema.json"
    schema = json.loads(schema_path.read_text())
    schema["properties"]["description"]["maxLength"] = 5
    schema_path.write_text(json.dumps(schema))
    code, out = run_json(capsys, "--repo", str(prompt_repo.path))
    assert code == 1
    assert {f["code"] for f in out["findings"]} == {"schema-max-length"}


def test_a_damaged_cache_file_only_costs_time(prompt_repo: GitRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cache = prompt_repo.path / ".git" / "promptsync" / "validate-cache.json"
    cache.parent.mkdir(parents=True)
    cache.write_text('{"format": 1, "entries": {"x": 3')
    assert run_json(capsys, "--repo", str(prompt_repo.path))[0] == 0


def test_the_process_pool_reports_what_one_process_reports(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "schema", tmp_path / "schema")
    shutil.copytree(root / "prompts", tmp_path / "prompts")
    greeting = (root / "prompts/default/greeting.yaml").read_text()
    for i in range(450):
        target = tmp_path / "prompts" / f"b{i:03d}" / "greeting.yaml"
        target.parent.mkdir()
        target.write_text(BROKEN_GREETING if i == 321 else greeting)
    files = from_directory(tmp_path)
    pooled = Validator(workers=2).validate(files)
    single = Validator(workers=1).validate(files)
    assert pooled.findings == single.findings
    assert [f.path for f in pooled.errors] == ["prompts/b321/greeting.yaml"]
    assert len(pooled.prompts) == len(single.prompts) == 450 + 15 - 1
