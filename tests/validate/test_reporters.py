"""The three output forms say the same thing: text lines, GitHub workflow commands, JSON.

The repository used here has findings whose paths and messages hold the characters GitHub's
workflow commands must escape: `%`, `:`, `,` and a newline.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import pytest

from promptsync.validate.finding import error
from promptsync.validate.report import Report
from promptsync.validate.reporters import github
from tests.support.gitrepo import PROJECT_ROOT
from tests.validate.corpus import run_cli

HEADER = "# yaml-language-server: $schema=../../schema/prompt.schema.json\n"
# Message with %, a path with ':' and ',', a key with a newline, a hint, and a warning.
AWKWARD = {
    "prompts/acme/greeting.yaml": HEADER + 'type: GREETING\nversion: 1\n"50%off": yes\n'
                                  '"two\\nlines": 1\ntemplate: Hi {user_name}, 100% ready\n',
    "prompts/a:b,c/greeting.yaml": HEADER + "type: GREETING\nversion: 1\ntemplate: Hi\n",
    "prompts/acme/farewell.yaml": HEADER + "type: FAREWELL\nversion: 1\nvariables:\n"
                                  "  brand_name: {type: string}\ntemplate: Bye {{ usr_name }}\n",
}
TEXT_LINE = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): "
                       r"(?P<severity>error|warning): (?P<message>.*) \[(?P<code>[a-z0-9-]+)\]$")
COMMAND = re.compile(r"^::(?P<level>error|warning) (?P<props>[^:]*)::(?P<data>.*)$")
UNESCAPE = {"%0A": "\n", "%0D": "\r", "%3A": ":", "%2C": ",", "%25": "%"}


@pytest.fixture
def awkward_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(PROJECT_ROOT / "prompts", root / "prompts")
    shutil.copytree(PROJECT_ROOT / "schema", root / "schema")
    for rel, text in AWKWARD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def json_findings(capsys: pytest.CaptureFixture[str], repo: Path) -> list[dict[str, Any]]:
    run = run_cli(capsys, "validate", "--repo", str(repo), "--format", "json")
    return list(run.payload["findings"])


def unescape(value: str) -> str:
    return re.sub(r"%0A|%0D|%3A|%2C|%25", lambda m: UNESCAPE[m.group()], value)


def parse_command(line: str) -> dict[str, Any]:
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    props = {}
    for prop in match["props"].split(","):
        key, sep, value = prop.partition("=")
        assert sep and key in ("file", "line", "col", "title"), prop
        props[key] = unescape(value)
    return {"level": match["level"], **props, "data": unescape(match["data"])}


def as_message(finding: dict[str, Any]) -> str:
    return str(finding["message"]) + (f" ({finding['hint']})" if finding["hint"] else "")


def test_the_awkward_repository_has_the_awkward_characters(
        capsys: pytest.CaptureFixture[str], awkward_repo: Path) -> None:
    findings = json_findings(capsys, awkward_repo)
    messages = "".join(as_message(f) for f in findings)
    paths = "".join(f["path"] for f in findings)
    assert "%" in messages and "\n" in messages
    assert ":" in paths and "," in paths
    assert {f["severity"] for f in findings} == {"error", "warning"}


def test_github_lines_are_workflow_commands_that_decode_to_the_findings(
        capsys: pytest.CaptureFixture[str], awkward_repo: Path) -> None:
    findings = json_findings(capsys, awkward_repo)
    run = run_cli(capsys, "validate", "--repo", str(awkward_repo), "--format", "github")
    assert run.code == 1
    lines = run.out.splitlines()
    commands = [parse_command(line) for line in lines if line.startswith("::")]
    assert len(commands) == len(findings) == len(lines) - 1  # plus one summary line
    for command, finding in zip(commands, findings, strict=True):
        assert command == {"level": finding["severity"], "file": finding["path"],
                           "line": str(finding["line"]), "col": str(finding["column"]),
                           "title": finding["code"], "data": as_message(finding)}
    assert not lines[-1].startswith("::")


def test_github_escapes_every_special_character() -> None:
    report = Report([error("prompts/a:b,c/x.yaml", 3, 4, "yaml-syntax", "100%: a,b\nnext\r")])
    out = _capture(github, report)
    first = out.splitlines()[0]
    assert first == ("::error file=prompts/a%3Ab%2Cc/x.yaml,line=3,col=4,title=yaml-syntax"
                     "::100%25: a,b%0Anext%0D")


def _capture(reporter: Callable[[Report, TextIO], None], report: Report) -> str:
    buffer = io.StringIO()
    reporter(report, buffer)
    return buffer.getvalue()


def test_json_carries_every_field(capsys: pytest.CaptureFixture[str], awkward_repo: Path) -> None:
    run = run_cli(capsys, "validate", "--repo", str(awkward_repo), "--format", "json")
    payload = json.loads(run.out)
    assert set(payload) >= {"ok", "files_checked", "errors", "warnings", "findings"}
    assert payload["ok"] is False
    findings = payload["findings"]
    assert payload["errors"] == sum(f["severity"] == "error" for f in findings)
    assert payload["warnings"] == sum(f["severity"] == "warning" for f in findings)
    for finding in findings:
        assert set(finding) >= {"path", "line", "column", "severity", "code", "message", "hint"}
        assert isinstance(finding["line"], int) and finding["line"] >= 1
        assert isinstance(finding["column"], int) and finding["column"] >= 1
        assert finding["severity"] in ("error", "warning")
        assert re.fullmatch(r"[a-z0-9-]+", finding["code"])
        assert finding["message"]


def test_text_lines_are_path_line_column_severity_message_code(
        capsys: pytest.CaptureFixture[str], awkward_repo: Path) -> None:
    findings = [f for f in json_findings(capsys, awkward_repo) if "\n" not in f["message"]]
    run = run_cli(capsys, "validate", "--repo", str(awkward_repo))
    parsed = [m.groupdict() for line in run.out.splitlines() if (m := TEXT_LINE.match(line))]
    expected = [{"path": f["path"], "line": str(f["line"]), "column": str(f["column"]),
                 "severity": f["severity"], "message": as_message(f), "code": f["code"]}
                for f in findings]
    assert [p for p in parsed if p in expected] == expected
    assert re.fullmatch(r"\d+ errors?, \d+ warnings? \(\d+ files? with errors, \d+ checked\)",
                        run.out.splitlines()[-1])


def test_the_text_summary_of_a_clean_run(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for folder in ("prompts", "schema"):
        shutil.copytree(PROJECT_ROOT / folder, repo / folder)
    (repo / "prompts/northwind/farewell.fr.yaml").unlink()  # the one stale translation
    run = run_cli(capsys, "validate", "--repo", str(repo), "--no-cache")
    assert run.code == 0
    count = len(list((repo / "prompts").rglob("*.yaml")))
    assert run.out.strip() == f"all good: {count} prompt files checked"
