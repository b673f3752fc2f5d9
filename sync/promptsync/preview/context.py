"""The context a preview renders with: declared defaults, then a sample or a JSON file, then
`--var KEY=VALUE` values coerced to each variable's declared type."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from promptsync.errors import UsageError
from promptsync.model import PromptDoc, Scalar, VariableSpec, made_up_values

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def coerce(spec: VariableSpec, text: str) -> Scalar:
    """`text` as the variable's declared type; UsageError naming the variable otherwise."""
    try:
        if spec.type == "integer":
            return int(text)
        if spec.type == "number":
            return float(text)
    except ValueError:
        raise UsageError(f"--var {spec.name}={text}: {spec.name} is declared {spec.type}, "
                         f"and {text!r} is not one") from None
    if spec.type == "boolean":
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise UsageError(f"--var {spec.name}={text}: {spec.name} is declared boolean "
                         "(use true or false)")
    return text


def parse_vars(doc: PromptDoc, assignments: Sequence[str]) -> dict[str, Scalar]:
    declared = {v.name: v for v in doc.variables}
    values: dict[str, Scalar] = {}
    for item in assignments:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--var {item!r} is not KEY=VALUE, e.g. --var user_name=Dana")
        if key not in declared:
            known = ", ".join(declared) or "none"
            raise UsageError(f"--var {key}: {doc.id} declares no variable {key!r} "
                             f"(it declares: {known})")
        values[key] = coerce(declared[key], text)
    return values


def sample_context(doc: PromptDoc, name: str) -> dict[str, Any]:
    for sample in doc.samples:
        if sample.name == name:
            return dict(sample.context)
    names = ", ".join(repr(s.name) for s in doc.samples) or "none"
    raise UsageError(f"{doc.id} has no sample {name!r} (its samples: {names})")


def file_context(path: str) -> dict[str, Any]:
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--context {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--context {path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--context {path}:{exc.lineno}:{exc.colno}: not valid JSON: "
                         f"{exc.msg}") from None
    if not isinstance(value, dict):
        raise UsageError(f"--context {path}: expected a JSON object of variables, e.g. "
                         '{"user_name": "Dana"}')
    return value


def build_context(doc: PromptDoc, *, sample: str | None = None, context_file: str | None = None,
                  assignments: Sequence[str] = ()) -> dict[str, Any]:
    """Defaults < sample or file < --var; UsageError when a required variable has no value."""
    context: dict[str, Any] = dict(doc.defaults())
    if sample is not None:
        context.update(sample_context(doc, sample))
    if context_file is not None:
        context.update(file_context(context_file))
    context.update(parse_vars(doc, assignments))
    missing = [v.name for v in doc.variables if v.required and v.name not in context]
    if missing:
        samples = ", ".join(repr(s.name) for s in doc.samples)
        hint = f"--sample NAME (its samples: {samples})" if samples else "--context FILE.json"
        raise UsageError(f"{doc.id} needs {', '.join(missing)}: pass --var "
                         f"{missing[0]}=VALUE or {hint}")
    return context


def sample_contexts(doc: PromptDoc) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, context) of each sample with defaults filled in; a stand-in when there is none."""
    defaults = doc.defaults()
    if doc.samples:
        return [(s.name, {**defaults, **s.context}) for s in doc.samples]
    return [("(declared defaults)", {**defaults, **made_up_values(doc.variables)})]
