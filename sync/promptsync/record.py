"""The immutable answer of a read: one prompt, where it came from, and how to turn it into text."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import yaml

from promptsync.model import CONTROL, PromptType

Source = Literal["memory", "redis", "db", "fallback"]
BUILTIN_COMMIT = "builtin"
# Subjects fall in this many buckets (promptsync.core.variants); a percent of weight is 100.
BUCKETS = 10_000
_PER_PERCENT = BUCKETS // 100


class Variant(NamedTuple):
    """One variant as published (the database's JSON, a Redis entry)."""

    name: str
    weight: int
    template: str
    description: str = ""


class Variants:
    """A prompt's variants in file order, with the bucket ranges they take (the assignment
    itself is promptsync.core.variants'); read-only and
    hashable like the variables beside them. `memo` is a slot the reader keeps its work for
    one copy in (the prompt each variant serves); it takes no part in equality."""

    __slots__ = ("arms", "bounds", "memo")

    def __init__(self, arms: Iterable[Variant] = ()) -> None:
        self.arms = tuple(arms)
        total = 0
        bounds = []
        for arm in self.arms:
            total += arm.weight * _PER_PERCENT
            bounds.append(total)
        self.bounds = tuple(bounds)
        self.memo: Any = None

    def index(self, at: int) -> int:
        """The arm whose range holds bucket `at`; len(arms) for control."""
        return bisect_right(self.bounds, at)

    def name_at(self, at: int) -> str:
        i = self.index(at)
        return self.arms[i].name if i < len(self.arms) else CONTROL

    def names(self) -> list[str]:
        return [a.name for a in self.arms]

    def copy(self) -> Variants:
        """The same variants with a memo of their own."""
        return Variants(self.arms)

    def json(self) -> list[dict[str, Any]]:
        return [a._asdict() for a in self.arms]

    def __bool__(self) -> bool:
        return bool(self.arms)

    def __len__(self) -> int:
        return len(self.arms)

    def __iter__(self) -> Iterator[Variant]:
        return iter(self.arms)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Variants) and self.arms == other.arms

    def __hash__(self) -> int:
        return hash(self.arms)

    def __repr__(self) -> str:
        return f"Variants({list(self.arms)!r})"


NO_VARIANTS = Variants()


def freeze_variants(raw: Any) -> Variants:
    """The variants column/field (a list of mappings, its JSON text, or None) as Variants."""
    if isinstance(raw, Variants):
        return raw
    if isinstance(raw, str | bytes):
        raw = json.loads(raw)
    if not raw:
        return NO_VARIANTS
    return Variants(_variant(item) for item in raw)


def variants_in(data: bytes | None) -> Variants:
    """The `variants:` of a prompt file's bytes, for a reader of history that has no validated
    record; NO_VARIANTS for a file without them, or one that does not parse."""
    if not data or b"variants:" not in data:  # most files: no YAML parse at all
        return NO_VARIANTS
    try:
        value = yaml.safe_load(data)
        return freeze_variants(value.get("variants") if isinstance(value, dict) else None)
    except (yaml.YAMLError, UnicodeDecodeError, KeyError, TypeError, ValueError,
            AttributeError):
        return NO_VARIANTS


def _variant(item: Mapping[str, Any]) -> Variant:
    return Variant(str(item["name"]), int(item["weight"]), str(item["template"]),
                   str(item.get("description") or ""))


class Prompt(NamedTuple):
    """A resolved prompt; immutable, safe to share between threads.

    `brand` is the brand that answered (`default` when the asked brand has no such prompt),
    `locale` the locale of the text that answered ("" for a base text, see
    promptsync.core.resolution), `language` the language it is written in ("" when its brand never
    declared one), `source` the tier that answered, `generation` the sync generation the copy
    was read at (0 for the built-in defaults). `variables` maps each declared variable to its
    ``{"type", "required", "default", "description"}``. `variants` are the file's variants;
    `variant` names the one whose text is `template` (`control`, the file's own, unless the
    read named a subject that a variant took: promptsync.core.variants).
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
    # The file's variants, and which of them this is (`control`: the file's own template).
    variants: Variants = NO_VARIANTS
    variant: str = CONTROL

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
