"""The immutable answer of a read: one prompt, where it came from, and how to turn it into text."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from promptsync.model import PromptType

Source = Literal["memory", "redis", "db", "fallback"]
BUILTIN_COMMIT = "builtin"


class Prompt(NamedTuple):
    """A resolved prompt; immutable, safe to share between threads.

    `brand` is the brand that answered (`default` when the asked brand has no such prompt),
    `locale` the locale of the text that answered ("" for a base text, see
    promptsync.core.resolution), `language` the language it is written in ("" when its brand never
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
    variables: Variables
    generation: int
    locale: str = ""
    language: str = ""

    @property
    def is_fallback(self) -> bool:
        return self.source == "fallback"


class Variables(Mapping[str, Mapping[str, Any]]):
    """A prompt's declared variables, read-only and hashable, so that what is compiled from a
    template and its declarations can be cached under them (promptsync.rendering): two texts
    that share a brand, a version and a commit never share an entry."""

    __slots__ = ("_hash", "_items")

    def __init__(self, items: Mapping[str, Mapping[str, Any]]) -> None:
        self._items = {str(k): MappingProxyType(dict(v or {})) for k, v in items.items()}
        self._hash: int | None = None

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(json.dumps(self._items, sort_keys=True, default=dict))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, Variables):
            return self._items == other._items
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return f"Variables({ {k: dict(v) for k, v in self._items.items()} !r})"


_EMPTY = Variables({})


def freeze_variables(raw: Any) -> Variables:
    """The variables column/field (a dict, or its JSON text) as read-only mappings."""
    if isinstance(raw, Variables):
        return raw
    if isinstance(raw, str | bytes):
        raw = json.loads(raw)
    if not raw:
        return _EMPTY
    return Variables(raw)
