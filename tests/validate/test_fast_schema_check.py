"""The compiled schema check may only skip jsonschema when jsonschema would find nothing.

Its "valid" is trusted without a second opinion, so it must never pass a document that
jsonschema rejects. Checked on every prompt document of the corpus and the project, and on
the edge values where two implementations of JSON Schema are known to part ways.
"""

from __future__ import annotations

from typing import Any

import pytest

from promptsync.tree import from_directory
from promptsync.validate.rules import FastSchemaCheck, load_rules
from promptsync.validate.yamldoc import read_yaml
from tests.support.gitrepo import PROJECT_ROOT
from tests.validate.corpus import EXAMPLES


def _rules() -> Any:
    rules, findings = load_rules(from_directory(PROJECT_ROOT, ["schema"]))
    assert rules is not None, findings
    return rules


def _documents() -> list[tuple[str, Any]]:
    found = []
    for path in sorted([*EXAMPLES.rglob("prompts/**/*.y*ml"), *PROJECT_ROOT.glob("prompts/*/*")]):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024:
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        doc, _ = read_yaml(str(path), text)
        if doc is not None:
            found.append((str(path.relative_to(PROJECT_ROOT)), doc.value))
    return found


def test_both_checkers_agree_on_every_document_of_the_corpus() -> None:
    rules = _rules()
    documents = _documents()
    assert len(documents) > 150
    disagree = [name for name, value in documents
                if rules.fast.passes(value) != rules.validator.is_valid(value)]
    assert disagree == []
    # Both outcomes occur, so the comparison above compared something.
    assert any(rules.validator.is_valid(v) for _, v in documents)
    assert not all(rules.validator.is_valid(v) for _, v in documents)


BASE = {"type": "GREETING", "version": 1, "template": "Hello {{ user_name }}!"}


@pytest.mark.parametrize("change", [
    {"version": True},                 # a bool is not an integer in JSON Schema
    {"version": 1.0},                  # 2020-12 counts 1.0 as an integer: both must agree
    {"version": 10**30},               # beyond 64 bits
    {"version": 0},
    {"template": " \n\t "},            # blank by the pattern
    {"template": "\u3000"},            # an ideographic space: blank to both regex dialects?
    {"template": "x" * 10_001},
    {"type": "greeting"},
    {"extra": 1},
    {"variables": {"Bad-Name": {"type": "string"}}},
    {"variables": {"user_name": {"type": "string", "required": "yes"}}},
], ids=repr)
def test_both_checkers_agree_on_edge_values(change: dict[str, Any]) -> None:
    rules = _rules()
    document = BASE | change
    if rules.fast.passes(document):
        assert rules.validator.is_valid(document), document


def test_a_schema_the_compiled_checker_cannot_read_falls_back_to_jsonschema() -> None:
    odd = FastSchemaCheck({"type": "object", "properties": {"a": {"pattern": "(?<=x"}}})
    assert odd.passes({"a": "y"}) is False  # "not sure" sends the document to jsonschema
