"""Good files in tests/examples/valid pass: no error, and no warning unless the case lists it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.validate.corpus import (
    ALLOW_STALE,
    Case,
    build_repository,
    cases,
    expected_files_checked,
    missing,
    place,
    run_cli,
    without_project_stale,
)

VALID = cases("valid")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("case", VALID, ids=str)
def test_valid_case_passes(case: Case, strict: bool, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = build_repository(case, tmp_path / "repo")
    args = ["--strict", *ALLOW_STALE] if strict else []
    run = run_cli(capsys, "validate", "--repo", str(repo), "--format", "json", *case.args, *args)
    assert "Traceback" not in run.out + run.err
    found = without_project_stale(run.findings)
    assert {place(f) for f in found} == {place(f) for f in case.findings}, run.out
    assert missing(run.findings, case.findings) == []
    assert run.code == (1 if strict and case.findings else 0)
    assert run.payload["files_checked"] == expected_files_checked(case, plant=False)


def test_the_valid_corpus_touches_every_kind_of_good_file() -> None:
    assert len(VALID) >= 15
    names = {c.name for c in VALID}
    for needed in ("unicode-text", "control-flow-if-elif-else", "filters", "jinja-comments",
                   "crlf-line-endings", "utf8-bom", "literal-braces", "folded-template"):
        assert needed in names
