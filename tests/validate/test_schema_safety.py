"""A hostile schema (it comes from a pull request) can neither make the validators fetch a URL
or read a file (13.7), nor crash them with a `$ref` to a value that is not a schema, nor hang
them with a pattern that backtracks (13.8).

The references are counted by a real HTTP server on a loopback port: every validation below
must leave it with zero requests.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from promptsync.tree import from_directory
from promptsync.validate import Validator, codes
from promptsync.validate.rules import FastSchemaCheck, load_rules
from promptsync.validate.schema_patterns import safe_validator
from promptsync.validate.schema_refs import SchemaSet
from tests.support.gitrepo import PROJECT_ROOT
from tests.validate.corpus import run_cli, run_subprocess

CATASTROPHIC = "^([A-Za-z0-9,'\"()]+\\s?)*$"


class CountingServer:
    """A loopback HTTP server that answers every GET with a schema and counts the requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                body = b'{"type": "string"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/schema+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def http_server() -> Iterator[CountingServer]:
    server = CountingServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(10)


def _schema() -> dict[str, Any]:
    return dict(json.loads((PROJECT_ROOT / "schema/prompt.schema.json").read_text()))


def _repository(root: Path, schema: dict[str, Any], **extra: Any) -> Path:
    """The project's prompts and schema, with this schema and these other schema files."""
    for folder in ("prompts", "schema"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    (root / "schema/prompt.schema.json").write_text(json.dumps(schema, indent=2))
    for name, content in extra.items():
        (root / "schema" / name.replace("_", ".")).write_text(json.dumps(content, indent=2))
    return root


def _refs_everywhere(url: str, secret: Path) -> dict[str, Any]:
    schema = _schema()
    schema["$schema"] = f"{url}/meta-schema"
    schema["properties"]["description"] = {"$ref": f"{url}/description.json"}
    schema["properties"]["samples"]["items"]["properties"]["name"] = {"$ref": secret.as_uri()}
    schema["$defs"] = {"remote": {"$dynamicRef": f"{url}/dynamic.json#x"},
                       "local": {"$ref": "common.schema.json"}}
    return schema


def test_a_ref_outside_the_schema_folder_is_a_finding_and_nothing_is_fetched(
        http_server: CountingServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"type": "string"}')
    repo = _repository(tmp_path / "repo", _refs_everywhere(http_server.url, secret),
                       common_schema_json={"$ref": f"{http_server.url}/nested.json"})
    run = run_cli(capsys, "validate", "--repo", str(repo), "--format", "json", "--no-cache")
    outside = sorted((f["path"], f["line"]) for f in run.findings
                     if "points outside the repository's schema/ folder" in f["message"])
    assert outside == sorted([
        _line_of(repo, "schema/common.schema.json", "/nested.json"),
        _line_of(repo, "schema/prompt.schema.json", "/description.json"),
        _line_of(repo, "schema/prompt.schema.json", secret.as_uri()),
        _line_of(repo, "schema/prompt.schema.json", "/dynamic.json")]), run.out
    assert run.code == 1 and {f["code"] for f in run.findings} == {codes.RULES_INVALID}
    # Through the daemon's door too: the Validator on the same files, and the subprocess CLI.
    Validator(workers=1).validate(from_directory(repo))
    assert run_subprocess("validate", "--repo", str(repo), "--no-cache").code == 1
    assert http_server.requests == []


def _line_of(repo: Path, path: str, needle: str) -> tuple[str, int]:
    lines = (repo / path).read_text().splitlines()
    return path, next(n for n, line in enumerate(lines, 1) if needle in line)


def test_neither_validator_fetches_even_when_handed_a_remote_ref(
        http_server: CountingServer) -> None:
    # Defence in depth: were a reference ever to slip past schema_refs, both engines refuse it.
    schema = {"properties": {"a": {"$ref": f"{http_server.url}/a.json"}}}
    assert FastSchemaCheck(schema).passes({"a": 1}) is False
    with pytest.raises(Exception, match=re.escape("a.json")):
        list(safe_validator()(schema, registry=SchemaSet().registry()).iter_errors({"a": 1}))
    assert http_server.requests == []


def test_a_ref_to_a_value_that_is_not_a_schema_is_a_finding(tmp_path: Path) -> None:
    schema = _schema()
    schema["properties"]["description"] = {"$ref": "#/properties/version/type"}
    repo = _repository(tmp_path / "repo", schema)
    # The daemon validates with the same Validator: a finding, never an AttributeError.
    report = Validator(workers=1).validate(from_directory(repo))
    assert [(f.path, f.code, f.message) for f in report.findings] == [
        ("schema/prompt.schema.json", codes.RULES_INVALID,
         "$ref '#/properties/version/type' points at text \"integer\", not a schema")]


@pytest.mark.parametrize(("node", "message"), [
    ({"$ref": "http://[::1"}, "$ref 'http://[::1' is not a valid reference"),
    ({"$id": "http://[::1/x"}, "$id 'http://[::1/x' is not a valid URI"),
    ({"$ref": "#/properties/nothing"}, "$ref '#/properties/nothing' points at nothing"),
    ({"$ref": "#no-such-anchor"}, "$ref '#no-such-anchor' points at nothing"),
    ({"$ref": "#/required/0"}, "$ref '#/required/0' points at text \"type\", not a schema"),
], ids=["not-a-uri", "bad-id", "no-such-pointer", "no-such-anchor", "text"])
def test_a_ref_that_cannot_resolve_is_a_finding_at_its_line(node: dict[str, str], message: str,
                                                             tmp_path: Path) -> None:
    schema = _schema()
    schema["$defs"] = {"hostile": node}
    repo = _repository(tmp_path / "repo", schema)
    report = Validator(workers=1).validate(from_directory(repo))
    assert [(f.path, f.message) for f in report.findings] == [
        ("schema/prompt.schema.json", message)]
    line = (repo / "schema/prompt.schema.json").read_text().splitlines()[
        report.findings[0].line - 1]
    assert json.dumps(next(iter(node.values()))) in line


def test_a_local_schema_file_may_be_referenced(tmp_path: Path) -> None:
    schema = _schema()
    schema["properties"]["description"] = {"$ref": "common.schema.json#/$defs/note"}
    repo = _repository(tmp_path / "repo", schema, common_schema_json={
        "$defs": {"note": {"type": "string", "maxLength": 5}}})
    rules, findings = load_rules(from_directory(repo))
    assert findings == [] and rules is not None
    assert rules.fast is not None and rules.fast.passes(
        {"type": "GREETING", "version": 1, "template": "Hi", "description": "short"})
    errors = list(rules.validator.iter_errors(
        {"type": "GREETING", "version": 1, "template": "Hi", "description": "far too long"}))
    assert [e.validator for e in errors] == ["maxLength"]


@pytest.mark.timeout(120)
def test_a_catastrophic_pattern_neither_hangs_validation_nor_hides_the_finding(
        tmp_path: Path) -> None:
    schema = _schema()
    schema["properties"]["description"]["pattern"] = CATASTROPHIC
    repo = _repository(tmp_path / "repo", schema)
    greeting = repo / "prompts/default/greeting.yaml"
    # Python's re takes ~12x longer per extra word on this text; 40 words is centuries.
    words = " ".join(["word"] * 40) + " !"
    greeting.write_text(re.sub("^description: .*$", f"description: {words}",
                               greeting.read_text(), count=1, flags=re.MULTILINE))
    run = run_subprocess("validate", "--repo", str(repo), "--no-cache", "--format", "json",
                         timeout=60)
    payload = json.loads(run.out)
    # No description of the project has only letters, digits and spaces: each is a finding.
    assert {f["code"] for f in payload["findings"]} == {"schema-pattern"}, run.out
    prompt_files = {str(f.relative_to(repo)) for f in (repo / "prompts").rglob("*.yaml")
                    if f.name != "brand.yaml"}  # a brand file has no description
    assert {f["path"] for f in payload["findings"]} == prompt_files
    assert any(words in f["message"] for f in payload["findings"])


@pytest.mark.parametrize("pattern", ["(?=a)b", "(a)\\1", "(?<!x)y"])
def test_a_pattern_that_needs_backtracking_is_a_finding(pattern: str, tmp_path: Path) -> None:
    schema = _schema()
    schema["properties"]["variables"]["patternProperties"] = {pattern: {}}
    schema["properties"]["description"]["pattern"] = pattern
    repo = _repository(tmp_path / "repo", schema)
    rules, findings = load_rules(from_directory(repo))
    text = (repo / "schema/prompt.schema.json").read_text().splitlines()
    assert rules is None
    assert sorted(f.message for f in findings) == [
        f"the pattern {pattern!r} cannot be checked safely",
        f"the patternProperties pattern {pattern!r} cannot be checked safely"]
    for f in findings:
        assert json.dumps(pattern)[1:-1] in text[f.line - 1]
