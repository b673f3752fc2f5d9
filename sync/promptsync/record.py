"""The immutable answer of a read: one prompt, where it came from, and how to turn it into text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from promptsync.model import PromptType

Source = Literal["memory", "redis", "db", "fallback"]
BUILTIN_COMMIT = "builtin"
_EMPTY: Mapping[str, Mapping[str, Any]] = MappingProxyType({})


class Prompt(NamedTuple):
    """A resolved prompt; immutable, safe to share between threads.

    `brand` is the brand that answered (`default` when the asked brand has no such prompt),
    `locale` the locale of the text that answered ("" for a base text, see
    promptsync.resolution), `language` the language it is written in ("" when its brand never
    declared one), `source` the tier that answered, `generation` the sync generation the copy
    was read at (0 for the built-in defaults). `variables` maps each declared variable to its
    ``{"type", "required", "default", "description"}``.
    """

    brand: str
    type: PromptType
    template: str
    version: int
    commit: str
    source: Source
    variables: Mapping[str, Mapping[str, Any]]
    generation: int
    locale: str = ""
    language: str = ""

    @property
    def is_fallback(self) -> bool:
        return self.source == "fallback"


def freeze_variables(raw: Any) -> Mapping[str, Mapping[str, Any]]:
    """The variables column/field (a dict, or its JSON text) as read-only mappings."""
    if isinstance(raw, str | bytes):
        raw = json.loads(raw)
    if not raw:
        return _EMPTY
    return MappingProxyType({str(k): MappingProxyType(dict(v or {})) for k, v in raw.items()})
