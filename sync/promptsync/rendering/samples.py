"""The context a prompt is previewed with: a sample (the first one when none is named), then
the values given, which win. Declared defaults, types and required variables are the render's
business (`rendering.renderer`), the same for a preview as for the runtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from promptsync.model import PromptDoc, made_up_values


class UnknownSample(LookupError):
    """The prompt has no sample of that name."""

    def __init__(self, doc: PromptDoc, name: str) -> None:
        self.names = [s.name for s in doc.samples]
        shown = ", ".join(repr(n) for n in self.names) or "none"
        super().__init__(f"{doc.id} has no sample {name[:80]!r} (its samples: {shown})")


def context_for(doc: PromptDoc, sample: str | None = None,
                values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`sample`'s context (the first sample's when neither a sample nor values are given; made
    up values for the required variables when the prompt has no sample), then `values`."""
    context: dict[str, Any] = {}
    if sample is not None:
        named = {s.name: s.context for s in doc.samples}
        if sample not in named:
            raise UnknownSample(doc, sample)
        context.update(named[sample])
    elif values is None:
        context.update(sample_contexts(doc)[0][1])
    context.update(values or {})
    return context


def sample_contexts(doc: PromptDoc) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, context) of each sample; a made-up stand-in when there is none."""
    if doc.samples:
        return [(s.name, dict(s.context)) for s in doc.samples]
    return [("(declared defaults)", made_up_values(doc.variables))]
