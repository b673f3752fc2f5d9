"""What a render comes to, as a value: the text, or a failure with a code, a message and a hint.

This module is the one table from the exceptions a template can raise to what they mean.
Validation turns a failure into a finding, preview into a line of text, the reader into its
fallback; none of them looks at the exceptions beneath.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jinja2 import Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from promptsync.sandbox.budget import render_bounded
from promptsync.sandbox.environment import ENV
from promptsync.sandbox.limits import (
    DEFAULT_RENDER_SECONDS,
    MAX_OUTPUT_CHARS,
    OutputTooLarge,
    PrintsCallable,
    RangeTooLong,
    RenderTimeout,
)

_OFFSET = re.compile(r"unexpected char (.+) at (\d+)$")


class FailureCode(StrEnum):
    SYNTAX = "syntax"  # the template does not compile
    TIMEOUT = "timeout"
    TOO_LONG = "too-long"
    BLOCKED = "blocked"  # the sandbox refused an operation
    UNDEFINED = "undefined"  # a variable without a value
    RECURSION = "recursion"
    ERROR = "error"  # anything else the template raised (a division by zero, a bad filter call)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str


@dataclass(frozen=True, slots=True)
class RenderFailure:
    """Why a template gave no text; `line` and `column` (from 1, 0 unknown) are in the template."""

    code: FailureCode
    message: str
    hint: str = ""
    line: int = 0
    column: int = 0


RenderOutcome = Rendered | RenderFailure


def compile_source(source: str) -> Template | RenderFailure:
    try:
        return ENV.from_string(source)
    except Exception as exc:  # an untrusted template may fail in any way
        return failure_of(exc)


def render(template: Template, context: Mapping[str, Any], *,
           seconds: float = DEFAULT_RENDER_SECONDS,
           max_chars: int = MAX_OUTPUT_CHARS) -> RenderOutcome:
    """The rendered text, or why there is none; bounded in time and size, never raises."""
    try:
        return Rendered(render_bounded(template, context, seconds=seconds, max_chars=max_chars))
    except Exception as exc:
        return failure_of(exc)


def failure_of(exc: BaseException) -> RenderFailure:
    """What an exception raised while compiling or rendering a template means."""
    if isinstance(exc, TemplateSyntaxError):
        return syntax_failure(exc)
    if isinstance(exc, RenderTimeout):
        return RenderFailure(FailureCode.TIMEOUT, str(exc),
                             "a loop that never ends or computes too much")
    if isinstance(exc, OutputTooLarge | MemoryError):
        message = str(exc) if isinstance(exc, OutputTooLarge) else "the render ran out of memory"
        return RenderFailure(FailureCode.TOO_LONG, message,
                             f"a prompt may render at most {MAX_OUTPUT_CHARS:,} characters")
    if isinstance(exc, SecurityError):
        return RenderFailure(FailureCode.BLOCKED, f"blocked by the sandbox: {exc}")
    if isinstance(exc, UndefinedError):
        return RenderFailure(FailureCode.UNDEFINED, str(exc.message),
                             "add it to the context, or give the variable a default")
    if isinstance(exc, PrintsCallable):
        call = f"write {exc.name}() to call it" if exc.name else "call it with parentheses"
        return RenderFailure(FailureCode.ERROR, f"the template {exc}",
                             f"{call}, or print a variable instead")
    if isinstance(exc, RangeTooLong):
        return RenderFailure(FailureCode.ERROR, str(exc), "loop over fewer items, e.g. range(10)")
    if isinstance(exc, RecursionError):
        return RenderFailure(FailureCode.RECURSION, "the template calls itself without end")
    return RenderFailure(FailureCode.ERROR, f"{type(exc).__name__}: {exc}")


def syntax_failure(exc: TemplateSyntaxError) -> RenderFailure:
    """A syntax error with its place in the template: Jinja's lexer gives a character offset
    ("unexpected char '$' at 268"), which no editor can use; it becomes a line and column."""
    message, line, column = exc.message or "syntax error", exc.lineno or 1, 0
    found = _OFFSET.match(message)
    source = getattr(exc, "source", None)
    if found and isinstance(source, str):
        offset = int(found.group(2))
        line = source.count("\n", 0, offset) + 1
        column = offset - (source.rfind("\n", 0, offset) + 1) + 1
        message = f"unexpected character {found.group(1)}"
    return RenderFailure(FailureCode.SYNTAX, message, _syntax_hint(message), line, column)


def _syntax_hint(message: str) -> str:
    if "end of template" in message or "unclosed" in message.lower():
        return "every {% if %} and {% for %} needs its {% endif %} / {% endfor %}"
    if "expected token" in message:
        return "check the brackets: {{ variable }}, {% statement %}"
    return ""
