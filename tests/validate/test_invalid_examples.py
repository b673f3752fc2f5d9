"""Every broken file in tests/examples/invalid is reported with its code and line, and only it.

Each case runs through the real entry point on a repository holding the project's own prompts
as well, plus (for most cases) a second broken file in another brand: the good files are still
checked and one bad file never hides another.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptsync.validate import codes
from tests.validate.corpus import (
    PLANTED_FINDING,
    PLANTED_PATH,
    Case,
    build_repository,
    cases,
    expected_files_checked,
    missing,
    one_per_code,
    params,
    place,
    run_cli,
    run_subprocess,
    without_project_stale,
)

INVALID = cases("invalid")
# Run again as a separate process: the kinds of input most likely to hurt a real process.
SUBPROCESS_CASES = frozenset({
    "file-too-large-1mb", "file-binary-png", "file-symlink-absolute-outside",
    "file-unreadable-fifo", "yaml-anchor-billion-laughs", "yaml-too-deep-thirty-thousand-brackets",
    "template-unsafe-mro-chain", "jinja-syntax-unclosed-expression", "sample-timeout-nested-loops",
    "sample-too-long-repeat", "sample-too-long-doubling-macro", "default-missing-type",
    "rules-invalid-schema-json", "version-not-bumped",
})
# Codes that need `--base REF` (cases with "base": true run in a git repository).
NEEDS_BASE = frozenset({codes.VERSION_NOT_BUMPED, codes.VERSION_NEW_NOT_ONE})


def _plants(case: Case) -> bool:
    # With broken rules no prompt is checked; with only warnings the exit code is the point.
    return not case.rules and not case.warning_only


def _case_paths(case: Case) -> set[str]:
    return {*case.files, *case.delete, *case.symlinks, *case.fifos,
            *(f["path"] for f in case.findings)}


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text
    assert "unexpected error" not in text


@pytest.mark.timeout(30)
@pytest.mark.parametrize("case", params(INVALID))
def test_invalid_case_is_reported(case: Case, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    plant = _plants(case)
    repo = build_repository(case, tmp_path / "repo", plant=plant)
    run = run_cli(capsys, "validate", "--repo", str(repo), "--format", "json", *case.args)
    assert_no_traceback(run.out + run.err)
    assert run.code == 1, run.out
    findings = without_project_stale(run.findings)
    assert missing(findings, case.findings) == [], run.out
    assert len({json.dumps(f, sort_keys=True) for f in findings}) == len(findings), \
        "a finding is reported twice"
    # Nothing is reported about the project's good files.
    strangers = [f for f in findings if f["path"] not in _case_paths(case) | {PLANTED_PATH}]
    assert strangers == []
    if case.exact:
        reported = {place(f) for f in findings if f["path"] != PLANTED_PATH}
        assert reported == {place(f) for f in case.findings}
    if plant:
        assert missing(findings, [PLANTED_FINDING]) == []
    if not case.rules:
        assert run.payload["files_checked"] == expected_files_checked(case, plant)


# The text form of every case is the same check as the JSON one above, printed another way: one
# case per code by default, all of them in the slow pass.
@pytest.mark.timeout(30)
@pytest.mark.parametrize("case", params(INVALID, one_per_code(INVALID)))
def test_invalid_case_in_text_form(case: Case, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = build_repository(case, tmp_path / "repo")
    run = run_cli(capsys, "validate", "--repo", str(repo), *case.args)
    assert_no_traceback(run.out + run.err)
    assert run.code == 1
    lines = run.out.splitlines()
    for want in case.findings:
        prefix = f"{want['path']}:{want['line']}:"
        assert any(line.startswith(prefix) and line.endswith(f"[{want['code']}]")
                   for line in lines), (want, run.out)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", params([c for c in INVALID if c.name in SUBPROCESS_CASES]))
def test_invalid_case_in_a_real_process(case: Case, tmp_path: Path) -> None:
    repo = build_repository(case, tmp_path / "repo", plant=_plants(case))
    run = run_subprocess("validate", "--repo", str(repo), "--format", "json", *case.args)
    assert_no_traceback(run.out + run.err)
    assert run.code == 1
    wanted = [*case.findings, *([PLANTED_FINDING] if _plants(case) else [])]
    assert missing(run.findings, wanted) == []


@pytest.mark.timeout(30)
@pytest.mark.parametrize("case", params([c for c in INVALID if c.warning_only]))
def test_warnings_alone_pass_unless_strict(case: Case, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = build_repository(case, tmp_path / "repo")
    args = [a for a in case.args if a != "--strict"]
    run = run_cli(capsys, "validate", "--repo", str(repo), "--format", "json", *args)
    assert run.code == 0
    assert missing(run.findings, case.findings) == []
    assert all(f["severity"] == "warning" for f in run.findings)


def test_the_corpus_is_big_and_covers_every_code() -> None:
    assert len(INVALID) >= 60
    assert len({c.name for c in INVALID}) == len(INVALID)
    covered = {f["code"] for c in INVALID for f in c.findings}
    every = {v for k, v in vars(codes).items() if k.isupper() and k != "SCHEMA_PREFIX"}
    assert every == covered - {c for c in covered if c.startswith(codes.SCHEMA_PREFIX)}
    assert {f["code"] for c in INVALID if c.base for f in c.findings} >= NEEDS_BASE
    schema_codes = {c for c in covered if c.startswith(codes.SCHEMA_PREFIX)}
    assert len(schema_codes) >= 8
