"""JSON Schema validation whose findings point at the line of the offending value or key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from promptsync.validate import codes
from promptsync.validate.finding import Finding, did_you_mean, error
from promptsync.validate.rules import Rules
from promptsync.validate.yamldoc import YamlDoc

if TYPE_CHECKING:  # jsonschema is imported when a file needs its words (schema_patterns)
    from jsonschema.exceptions import ValidationError

_JSON_TYPES = {str: "text", bool: "true/false", int: "a whole number", float: "a number",
               list: "a list", dict: "a mapping", type(None): "empty"}


def check_schema(path: str, doc: YamlDoc, rules: Rules) -> list[Finding]:
    if rules.fast is not None and rules.fast.passes(doc.value):
        return []
    return check_against(path, doc, rules.validator)


def check_against(path: str, doc: YamlDoc, validator: Any) -> list[Finding]:
    """The findings of one (jsonschema) validator, e.g. the brand file's."""
    findings: list[Finding] = []
    for exc in sorted(validator.iter_errors(doc.value), key=lambda e: list(e.path)):
        findings.extend(f for f in _findings_for(path, doc, exc) if f not in findings)
    return findings  # once each: a blank template fails both minLength and pattern


def _findings_for(path: str, doc: YamlDoc, exc: ValidationError) -> Iterator[Finding]:
    where = tuple(exc.absolute_path)
    keyword = str(exc.validator)
    text = _text_named(doc, where)
    if text and keyword in ("minLength", "pattern") and not str(exc.instance).strip():
        line, col = doc.mark(where)
        yield error(path, line, col, codes.TEMPLATE_BLANK, f"{text} is blank",
                    "write the text the chatbot should say")
        return
    if text and keyword == "maxLength":
        line, col = doc.mark(where)
        yield error(path, line, col, codes.TEMPLATE_TOO_LONG,
                    f"{text} has {len(str(exc.instance)):,} characters; the limit is "
                    f"{exc.validator_value:,}", "shorten it or split the prompt")
        return
    if keyword == "additionalProperties" and isinstance(exc.instance, dict):
        yield from _unknown_keys(path, doc, where, exc)
        return
    if keyword == "required":
        line, col = doc.mark(where)
        missing = _missing_key(exc)
        yield error(path, line, col, codes.SCHEMA_PREFIX + "required",
                    f"{_place(where)}is missing the required key '{missing}'")
        return
    if "propertyNames" in exc.relative_schema_path:
        # The error's path is the mapping; the offending thing is one of its keys.
        line, col = doc.mark((*where, str(exc.instance)), key=True)
    else:
        line, col = doc.mark(where)
    yield error(path, line, col, codes.SCHEMA_PREFIX + _kebab(keyword),
                f"{_place(where)}{_message(exc)}", _hint(exc))


def _text_named(doc: YamlDoc, where: tuple[Any, ...]) -> str:
    """What a finding calls the text at `where`: the template, a variant's; "" for others."""
    if where == ("template",):
        return "the template"
    if len(where) == 3 and where[0] == "variants" and where[2] == "template":
        item = doc.value["variants"][where[1]]
        name = item.get("name") if isinstance(item, dict) else None
        return f"the template of variant '{name}'" if isinstance(name, str) \
            else f"the template of variant {where[1] + 1}"
    return ""


def _unknown_keys(path: str, doc: YamlDoc, where: tuple[Any, ...],
                  exc: ValidationError) -> Iterator[Finding]:
    schema: Any = exc.schema
    instance: Any = exc.instance
    allowed = list(schema.get("properties", {}))
    for key in instance:
        if key in allowed:
            continue
        line, col = doc.mark((*where, key), key=True)
        hint = did_you_mean(str(key), allowed) or f"allowed: {', '.join(allowed)}"
        yield error(path, line, col, codes.SCHEMA_PREFIX + "additional-properties",
                    f"{_place(where)}unknown key '{key}'", hint)


def _missing_key(exc: ValidationError) -> str:
    required: Any = exc.validator_value
    for name in required:
        if isinstance(exc.instance, dict) and name not in exc.instance:
            return str(name)
    return "?"


def _place(where: tuple[Any, ...]) -> str:
    if not where:
        return ""
    text = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where)
    return f"{text.replace('.[', '[')}: "


def _message(exc: ValidationError) -> str:
    keyword = exc.validator
    instance: Any = exc.instance
    value: Any = exc.validator_value
    if keyword == "type":
        wanted = value if isinstance(value, str) else " or ".join(value)
        return f"must be {wanted}, not {_JSON_TYPES.get(type(instance), type(instance).__name__)}"
    if keyword == "enum":
        return f"{instance!r} is not one of {', '.join(map(str, value))}"
    if keyword == "minimum":
        return f"must be at least {value}, not {instance!r}"
    if keyword in ("minLength", "maxLength"):
        bound = "at least" if keyword == "minLength" else "at most"
        return f"has {len(instance):,} characters; {bound} {value:,} allowed"
    if keyword == "pattern":
        return f"{instance!r} does not match the pattern {value}"
    return str(exc.message)


def _hint(exc: ValidationError) -> str:
    if exc.validator == "enum" and isinstance(exc.instance, str):
        allowed: Any = exc.validator_value
        return did_you_mean(exc.instance.upper(), [str(v) for v in allowed])
    return ""


def _kebab(keyword: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in keyword)
