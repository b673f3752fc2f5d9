"""The repository's own rules: `schema/prompt.schema.json` and `schema/variables.yaml`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from promptsync.model import PromptType
from promptsync.tree import SourceFile
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.yamldoc import YamlDoc, read_yaml

SCHEMA_PATH = "schema/prompt.schema.json"
VARIABLES_PATH = "schema/variables.yaml"
# The types a variable may declare, and the Python values a sample may give each.
PYTHON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,)}
VARIABLE_TYPES = frozenset(PYTHON_TYPES)
# Bumped whenever a check changes, so cached per-file results are not reused across versions.
CHECKS_VERSION = "5"


@dataclass(frozen=True)
class VariableRule:
    """A context variable the chat runtime provides, and the prompt types that may use it."""

    name: str
    type: str
    description: str
    types: frozenset[PromptType]


class FastSchemaCheck:
    """A compiled (Rust) yes/no check of the schema, to skip jsonschema for files that pass.

    jsonschema explains every error with its path, which the findings need, but costs ~0.16 ms
    per prompt even when there is nothing to explain; jsonschema-rs answers "valid" 30x faster.
    Only its "valid" is trusted: any "invalid", or any doubt, goes to jsonschema for the words.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._schema = schema
        self._compiled: Any = None
        self._usable = True

    def passes(self, instance: Any) -> bool:
        if self._compiled is None and self._usable:
            try:
                self._compiled = jsonschema_rs.Draft202012Validator(dict(self._schema))
            except Exception:  # a schema (or regex dialect) it cannot compile: no fast path
                self._usable = False
        if self._compiled is None:
            return False
        try:
            return bool(self._compiled.is_valid(instance))
        except Exception:  # e.g. an integer too large for it: let jsonschema decide
            return False

    def __getstate__(self) -> dict[str, Any]:
        # The compiled validator does not pickle; a worker process compiles its own.
        return {"_schema": self._schema, "_compiled": None, "_usable": self._usable}


@dataclass(frozen=True)
class Rules:
    schema: Mapping[str, Any]
    validator: Draft202012Validator
    variables: Mapping[str, VariableRule]
    digest: str
    fast: FastSchemaCheck | None = None


def rules_digest(files: Sequence[SourceFile]) -> str | None:
    """What the rules of this tree are, by the blob ids of both files; None when one is missing."""
    by_path = {f.path: f.blob for f in files if f.path in (SCHEMA_PATH, VARIABLES_PATH)}
    if len(by_path) < 2:
        return None
    digest = hashlib.sha256(CHECKS_VERSION.encode())
    for path in (SCHEMA_PATH, VARIABLES_PATH):
        digest.update(by_path[path].encode())
    return digest.hexdigest()


def load_rules(files: Sequence[SourceFile]) -> tuple[Rules | None, list[Finding]]:
    """Read both rule files from the tree; None and findings when either is missing or broken."""
    by_path = {f.path: f for f in files}
    findings: list[Finding] = []
    schema = _load_schema(by_path.get(SCHEMA_PATH), findings)
    variables = _load_variables(by_path.get(VARIABLES_PATH), findings)
    digest = rules_digest(files)
    if schema is None or variables is None or digest is None:
        return None, findings
    return Rules(schema, Draft202012Validator(schema), variables, digest,
                 FastSchemaCheck(schema)), findings


def _load_schema(source: SourceFile | None, findings: list[Finding]) -> dict[str, Any] | None:
    if source is None:
        findings.append(error(SCHEMA_PATH, 1, 1, codes.RULES_INVALID,
                              f"{SCHEMA_PATH} is missing; every prompt is checked against it"))
        return None
    try:
        schema = json.loads(source.read().decode("utf-8"))
        Draft202012Validator.check_schema(schema)
    except json.JSONDecodeError as exc:
        findings.append(error(SCHEMA_PATH, exc.lineno, exc.colno, codes.RULES_INVALID,
                              f"not valid JSON: {exc.msg}"))
        return None
    except (UnicodeDecodeError, SchemaError) as exc:
        message = getattr(exc, "message", str(exc))
        findings.append(error(SCHEMA_PATH, 1, 1, codes.RULES_INVALID,
                              f"not a valid JSON Schema: {message}"))
        return None
    return dict(schema)


def _load_variables(source: SourceFile | None,
                    findings: list[Finding]) -> dict[str, VariableRule] | None:
    if source is None:
        findings.append(error(VARIABLES_PATH, 1, 1, codes.RULES_INVALID,
                              f"{VARIABLES_PATH} is missing; it lists the variables prompts use"))
        return None
    try:
        text = source.read().decode("utf-8")
    except UnicodeDecodeError:
        findings.append(error(VARIABLES_PATH, 1, 1, codes.RULES_INVALID, "not UTF-8"))
        return None
    doc, problems = read_yaml(VARIABLES_PATH, text)
    findings.extend(problems)
    if doc is None:
        return None
    return _variable_rules(doc, findings)


def _variable_rules(doc: YamlDoc, findings: list[Finding]) -> dict[str, VariableRule] | None:
    value = doc.value
    entries = value.get("variables") if isinstance(value, dict) else None
    if not isinstance(entries, dict):
        findings.append(error(VARIABLES_PATH, 1, 1, codes.RULES_INVALID,
                              "expected a top-level 'variables:' mapping"))
        return None
    rules: dict[str, VariableRule] = {}
    for name, spec in entries.items():
        try:
            types = frozenset(PromptType.parse(t) for t in spec.get("types", []))
            if spec.get("type") not in VARIABLE_TYPES:
                raise ValueError(f"type must be one of {sorted(VARIABLE_TYPES)}")
        except (ValueError, AttributeError, TypeError) as exc:
            line, col = doc.mark(("variables", name), key=True)
            findings.append(error(VARIABLES_PATH, line, col, codes.RULES_INVALID,
                                  f"variable {name!r}: {exc}"))
            return None
        rules[name] = VariableRule(name, spec["type"], str(spec.get("description", "")), types)
    return rules
