"""The repository's own rules: `schema/prompt.schema.json` and `schema/variables.yaml`."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from promptsync.model import SCHEMA_DIR, PromptType
from promptsync.tree import SourceFile
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.schema_patterns import pattern_findings, regex_options, safe_validator
from promptsync.validate.schema_refs import SchemaSet, refuse, resolve_refs
from promptsync.validate.schema_text import load_schema_text
from promptsync.validate.yamldoc import YamlDoc, read_yaml

SCHEMA_PATH = "schema/prompt.schema.json"
BRAND_SCHEMA_PATH = "schema/brand.schema.json"
VARIABLES_PATH = "schema/variables.yaml"
# The types a variable may declare, and the Python values a sample may give each.
PYTHON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,)}
VARIABLE_TYPES = frozenset(PYTHON_TYPES)
# Bumped whenever a check changes, so cached per-file results are not reused across versions.
CHECKS_VERSION = "16"


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

    def __init__(self, schema: Mapping[str, Any], files: Sequence[tuple[str, Any]] = ()) -> None:
        self._schema = schema
        self._files = tuple(files)  # (URI, document) of the other schema files it may reach
        self._compiled: Any = None
        self._usable = True

    def passes(self, instance: Any) -> bool:
        if self._compiled is None and self._usable:
            import jsonschema_rs  # (~10 ms: imported when a file is checked, not for a cached run)

            try:
                # The references were resolved by schema_refs: it reads only these, never a URL.
                self._compiled = jsonschema_rs.Draft202012Validator(
                    dict(self._schema), retriever=refuse, pattern_options=regex_options(),
                    registry=jsonschema_rs.Registry(list(self._files)) if self._files else None)
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
        return {"_schema": self._schema, "_files": self._files, "_compiled": None,
                "_usable": self._usable}


@dataclass(frozen=True)
class Rules:
    schema: Mapping[str, Any]
    schemas: SchemaSet  # the schema with every resource its references reach
    variables: Mapping[str, VariableRule]
    digest: str
    fast: FastSchemaCheck | None = None
    # schema/brand.schema.json, for prompts/<brand>/brand.yaml; None when the repository has
    # none (then a brand file is an error that says so).
    brand_schemas: SchemaSet | None = None

    # The jsonschema validators (matching patterns without backtracking) are built when a file
    # needs one: most prompts pass jsonschema-rs's check and need no words.
    @functools.cached_property
    def validator(self) -> Any:
        return safe_validator()(self.schema, registry=self.schemas.registry())

    @functools.cached_property
    def brand_validator(self) -> Any:
        if self.brand_schemas is None:
            return None
        return safe_validator()(self.brand_schemas.resources[""],
                                registry=self.brand_schemas.registry())


def rules_digest(files: Sequence[SourceFile]) -> str | None:
    """What the rules of this tree are, by the blob ids of both files and of every other schema
    file a `$ref` may reach; None when one of the two is missing."""
    by_path = {f.path: f.blob for f in files if f.path in (SCHEMA_PATH, VARIABLES_PATH)
               or _is_schema_file(f.path)}
    if SCHEMA_PATH not in by_path or VARIABLES_PATH not in by_path:
        return None
    digest = hashlib.sha256(CHECKS_VERSION.encode())
    for path in (SCHEMA_PATH, VARIABLES_PATH, *sorted(set(by_path) - {SCHEMA_PATH})):
        digest.update(f"{path}\0{by_path[path]}\0".encode())
    return digest.hexdigest()


def _is_schema_file(path: str) -> bool:
    return path.startswith(f"{SCHEMA_DIR}/") and path.endswith(".json")


def load_rules(files: Sequence[SourceFile], *, checked: bool = False,
               ) -> tuple[Rules | None, list[Finding]]:
    """Read both rule files from the tree; None and findings when either is missing or broken.
    `checked`: these rules (by their digest) are known to load without findings, so the checks
    that could only find something (the meta-schema's, the patterns') are skipped."""
    by_path = {f.path: f for f in files}
    findings: list[Finding] = []
    schemas = _load_schema(by_path, findings, checked=checked)
    brand_schemas = _load_schema(by_path, findings, BRAND_SCHEMA_PATH, checked=checked) \
        if BRAND_SCHEMA_PATH in by_path else None
    variables = _load_variables(by_path.get(VARIABLES_PATH), findings)
    digest = rules_digest(files)
    if schemas is None or variables is None or digest is None:
        return None, findings
    schema = schemas.resources[""]
    return Rules(schema, schemas, variables, digest, FastSchemaCheck(schema, schemas.files()),
                 brand_schemas), findings


def _load_schema(by_path: Mapping[str, SourceFile], findings: list[Finding],
                 path: str = SCHEMA_PATH, *, checked: bool = False) -> SchemaSet | None:
    """The schema and the files its references reach, or None when any of it is unsafe."""
    source = by_path.get(path)
    if source is None:
        findings.append(error(SCHEMA_PATH, 1, 1, codes.RULES_INVALID,
                              f"{SCHEMA_PATH} is missing; every prompt is checked against it"))
        return None
    main, problems = load_schema_text(source, checked=checked)
    if main is None or not isinstance(main.value, dict):
        findings += problems or [error(SCHEMA_PATH, 1, 1, codes.RULES_INVALID,
                                       "the schema must be a JSON object")]
        return None
    schemas, problems = resolve_refs(main, {p: f for p, f in by_path.items()
                                            if _is_schema_file(p)}, checked=checked)
    if not checked:
        problems += pattern_findings(schemas.texts.values())
    findings += problems
    return None if problems else schemas


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
