"""The schema's regular expressions, matched only by an engine without backtracking.

Python's `re` backtracks: `^([A-Za-z0-9,'"()]+\\s?)*$` on a long text that fails to match
runs for hours, and the schema comes from a pull request. jsonschema-rs's Rust `regex` engine
matches in linear time; it does every `pattern` and `patternProperties` match here, for both
validators. A pattern that engine cannot compile (lookaround, backreferences) is a finding.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

from promptsync.lru import LRU
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.schema_refs import schema_nodes
from promptsync.validate.schema_text import SchemaText

# What the Rust engine may grow to per pattern; a pattern that needs more is refused.
_LIMITS = {"size_limit": 1 << 20, "dfa_size_limit": 1 << 22}
_MATCHERS: LRU[str, Any] = LRU(1024)
_UNSAFE_HINT = "lookahead, lookbehind and backreferences cannot be matched in linear time"


def regex_options() -> Any:
    """The pattern engine jsonschema-rs must use: linear time, bounded size."""
    import jsonschema_rs  # (~10 ms: imported when a schema or a file is checked)

    return jsonschema_rs.RegexOptions(**_LIMITS)


def _matcher(pattern: str) -> Any:
    def compiled() -> Any:
        import jsonschema_rs

        return jsonschema_rs.Draft202012Validator({"pattern": pattern},
                                                  pattern_options=regex_options())

    return _MATCHERS.get_or_put(pattern, compiled)


def matches(pattern: str, text: str) -> bool:
    """Whether `pattern` finds a match in `text` (JSON Schema's unanchored search)."""
    return bool(_matcher(pattern).is_valid(text))


def pattern_findings(texts: Iterable[SchemaText]) -> list[Finding]:
    """A finding for each pattern of these files that cannot be matched safely."""
    findings: list[Finding] = []
    for text in texts:
        uses_pattern_properties = False
        for node, _ in schema_nodes(text.value, ""):
            uses_pattern_properties |= isinstance(node.get("patternProperties"), dict)
            findings += _unsafe(text, node)
        for node, _ in schema_nodes(text.value, ""):
            if uses_pattern_properties and "unevaluatedProperties" in node:
                line, col = text.place_of("unevaluatedProperties", None)
                findings.append(error(text.path, line, col, codes.RULES_INVALID,
                                      "unevaluatedProperties cannot be checked safely in a "
                                      "schema with patternProperties",
                                      "use additionalProperties instead"))
    return findings


def _unsafe(text: SchemaText, node: dict[str, Any]) -> Iterator[Finding]:
    pattern = node.get("pattern")
    if isinstance(pattern, str) and not _compiles(pattern):
        line, col = text.place_of("pattern", pattern)
        yield error(text.path, line, col, codes.RULES_INVALID,
                    f"the pattern {pattern!r} cannot be checked safely", _UNSAFE_HINT)
    keyed = node.get("patternProperties")
    for key in keyed if isinstance(keyed, dict) else ():
        if not _compiles(key):
            line, col = text.place_of(key, None)
            yield error(text.path, line, col, codes.RULES_INVALID,
                        f"the patternProperties pattern {key!r} cannot be checked safely",
                        _UNSAFE_HINT)


def _compiles(pattern: str) -> bool:
    try:
        _matcher(pattern)
    except Exception:  # jsonschema-rs: "... is not a 'regex'" for what it cannot compile
        return False
    return True


@functools.cache
def safe_validator() -> Any:
    """jsonschema's draft 2020-12 validator class with every regular expression matched by
    `matches`. Built (and jsonschema imported, ~50 ms) on first use: a run whose files all
    pass jsonschema-rs's check, or come from the result cache, needs no words and never asks."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    original = Draft202012Validator.VALIDATORS

    def pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not matches(pattern, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    def pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                           schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for pattern, subschema in patterns.items():
            for key, value in instance.items():
                if matches(pattern, key):
                    yield from validator.descend(value, subschema, path=key,
                                                 schema_path=pattern)

    def additional_properties(validator: Any, allowed: Any, instance: Any,
                              schema: Any) -> Iterator[Any]:
        patterns = schema.get("patternProperties") if isinstance(schema, dict) else None
        if patterns and validator.is_type(instance, "object"):
            # jsonschema would join the patterns into one `re` search: leave out here what
            # they match, and let its keyword judge the rest against no patterns at all.
            known = schema.get("properties", {})
            instance = {k: v for k, v in instance.items()
                        if k not in known and not any(matches(p, k) for p in patterns)}
            schema = {}
        yield from original["additionalProperties"](validator, allowed, instance, schema)

    return validators.extend(Draft202012Validator, {  # type: ignore[no-untyped-call]
        "pattern": pattern, "patternProperties": pattern_properties,
        "additionalProperties": additional_properties})
