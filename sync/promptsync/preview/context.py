"""The command line's context for `preview ID`: a sample, a JSON file, `--var KEY=VALUE`.

Values are handed to the render as given (text for `--var`): the one coercion of declared types
(promptsync.rendering.coercion) reads them as the runtime would read them from a chat service.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promptsync.errors import UsageError
from promptsync.model import PromptDoc
from promptsync.rendering.samples import UnknownSample, context_for


def parse_vars(doc: PromptDoc, assignments: Sequence[str]) -> dict[str, str]:
    declared = {v.name for v in doc.variables}
    values: dict[str, str] = {}
    for item in assignments:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--var {item!r} is not KEY=VALUE, e.g. --var user_name=Dana")
        if key not in declared:
            known = ", ".join(v.name for v in doc.variables) or "none"
            raise UsageError(f"--var {key}: {doc.id} declares no variable {key!r} "
                             f"(it declares: {known})")
        values[key] = text
    return values


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
    """A sample (the first when nothing is given), or the file, then --var values."""
    values: dict[str, Any] | None = None
    if context_file is not None or assignments:
        values = file_context(context_file) if context_file is not None else {}
        values.update(parse_vars(doc, assignments))
    try:
        return context_for(doc, sample, values)
    except UnknownSample as exc:
        raise UsageError(str(exc)) from None
