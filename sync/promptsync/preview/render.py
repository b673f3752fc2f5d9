"""Rendering one prompt for a person to read, in the same sandbox as everything else.

A template from a pull request is untrusted: any failure becomes a message, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from promptsync import sandbox
from promptsync.model import PromptDoc
from promptsync.sandbox import FailureCode, Rendered, RenderFailure, RenderOutcome

PREVIEW_SECONDS = 2.0


@dataclass(frozen=True)
class Preview:
    """The text, or why there is none, in words for the reader of a preview."""

    text: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.text is not None


def render(doc: PromptDoc, context: Mapping[str, Any]) -> Preview:
    return render_each(doc, [context])[0]


def render_each(doc: PromptDoc, contexts: Sequence[Mapping[str, Any]]) -> list[Preview]:
    """One Preview per context; the template is compiled once for them all."""
    template = sandbox.compile_source(doc.template)
    if isinstance(template, RenderFailure):
        return [_shown(template)] * len(contexts)
    return [_shown(sandbox.render(template, context, seconds=PREVIEW_SECONDS))
            for context in contexts]


def _shown(outcome: RenderOutcome) -> Preview:
    if isinstance(outcome, Rendered):
        return Preview(outcome.text)
    if outcome.code is FailureCode.SYNTAX:
        where = f"template line {outcome.line}" + (f", column {outcome.column}"
                                                   if outcome.column else "")
        return Preview(None, f"template syntax error on {where}: {outcome.message}")
    return Preview(None, outcome.message + (f" ({outcome.hint})" if outcome.hint else ""))
