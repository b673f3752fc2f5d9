"""Rendering one prompt for a person to read: the one render rule (promptsync.rendering), with
its outcome told in words. A template from a pull request is untrusted: any failure becomes a
message, never a crash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from promptsync.model import PromptDoc
from promptsync.rendering.coercion import Coerced
from promptsync.rendering.renderer import Renderer
from promptsync.sandbox import FailureCode, Rendered, RenderFailure

PREVIEW_SECONDS = 2.0
# Previews render few distinct texts (a pull request's, an editor's drafts); bounded all the same.
RENDERER = Renderer(max_entries=256)


@dataclass(frozen=True)
class Preview:
    """The text, or why there is none, in words for the reader of a preview; and the values
    that did not have their declared type (converted, or dropped as the runtime drops them)."""

    text: str | None
    error: str | None = None
    coerced: tuple[Coerced, ...] = ()
    failure: RenderFailure | None = None
    missing: str | None = None  # the required variable the context lacked

    @property
    def ok(self) -> bool:
        return self.text is not None


def render(doc: PromptDoc, context: Mapping[str, Any], variant: str | None = None) -> Preview:
    """`variant`'s text (None: the file's own template, `control`) for `context`; raises
    UnknownVariant for a name the file does not have."""
    return render_each(doc, [context], variant)[0]


def render_each(doc: PromptDoc, contexts: Sequence[Mapping[str, Any]],
                variant: str | None = None) -> list[Preview]:
    """One Preview per context; the text is compiled once for them all."""
    variables = doc.variables_json()
    template = doc.template_of(variant)
    previews = []
    for context in contexts:
        done = RENDERER.outcome(template, variables, context, seconds=PREVIEW_SECONDS)
        previews.append(replace(_shown(done.outcome, done.coerced), missing=done.missing))
    return previews


def _shown(outcome: Rendered | RenderFailure, coerced: tuple[Coerced, ...]) -> Preview:
    if isinstance(outcome, Rendered):
        return Preview(outcome.text, coerced=coerced)
    if outcome.code is FailureCode.SYNTAX:
        where = f"template line {outcome.line}" + (f", column {outcome.column}"
                                                   if outcome.column else "")
        return Preview(None, f"template syntax error on {where}: {outcome.message}", coerced,
                       outcome)
    return Preview(None, outcome.message + (f" ({outcome.hint})" if outcome.hint else ""),
                   coerced, outcome)


def coerced_text(note: Coerced) -> str:
    """What happened to a value of the wrong type, as the runtime would treat it."""
    given = repr(note.given)[:80]
    if note.dropped:
        return (f"{note.name} is declared {note.declared}, and {given} is not one: the runtime "
                "drops it and the declared default applies")
    return f"{note.name} is declared {note.declared}: {given} is read as one"
