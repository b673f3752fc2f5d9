"""Rendering one prompt for a person to read, in the same sandbox as everything else.

A template from a pull request is untrusted: any failure becomes a message, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from promptsync.model import PromptDoc
from promptsync.sandbox import ENV, OutputTooLarge, RenderTimeout, render_bounded

PREVIEW_SECONDS = 2.0


@dataclass(frozen=True)
class Rendered:
    """The text, or why there is none."""

    text: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.text is not None


def render(doc: PromptDoc, context: Mapping[str, Any]) -> Rendered:
    return render_each(doc, [context])[0]


def render_each(doc: PromptDoc, contexts: Sequence[Mapping[str, Any]]) -> list[Rendered]:
    """One Rendered per context; the template is compiled once for them all."""
    try:
        template = ENV.from_string(doc.template)
    except Exception as exc:  # an untrusted template may fail in any way
        return [_failure(exc)] * len(contexts)
    out = []
    for context in contexts:
        try:
            out.append(Rendered(render_bounded(template, context, seconds=PREVIEW_SECONDS)))
        except Exception as exc:
            out.append(_failure(exc))
    return out


def _failure(exc: Exception) -> Rendered:
    if isinstance(exc, TemplateSyntaxError):
        return Rendered(None, f"template syntax error on template line {exc.lineno}: "
                              f"{exc.message}")
    if isinstance(exc, UndefinedError):
        return Rendered(None, f"{exc.message} (give it a value or a default)")
    if isinstance(exc, SecurityError):
        return Rendered(None, f"blocked by the sandbox: {exc}")
    if isinstance(exc, (RenderTimeout, OutputTooLarge)):
        return Rendered(None, str(exc))
    if isinstance(exc, RecursionError):
        return Rendered(None, "the template calls itself without end")
    return Rendered(None, f"{type(exc).__name__}: {exc}")
