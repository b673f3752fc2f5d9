"""The one documented order in which prompts answer, used by the reader, preview and coverage.

For brand B, type T and locale `de-CH`:

    B de-CH, B de, default de-CH, default de, B base, default base, then the built-in text.

The language comes before the brand: a German speaker gets `default`'s German text rather
than the brand's English one. Without a locale only the last three steps apply. An answer in
another language than the one asked is a *language fallback*.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from promptsync.locale import chain, language
from promptsync.model import DEFAULT_BRAND

T = TypeVar("T")
Step = tuple[str, str]  # (brand, locale); locale "" is the base text


@lru_cache(maxsize=4096)
def lookup_order(brand: str, locale: str = "") -> tuple[Step, ...]:
    """Every (brand, locale) that may answer, in order; `locale` must be canonical."""
    brands = (brand,) if brand == DEFAULT_BRAND else (brand, DEFAULT_BRAND)
    tags = chain(locale)
    return tuple((b, t) for b in brands for t in tags) + tuple((b, "") for b in brands)


def resolve(find: Callable[[str, str], T | None], brand: str,
            locale: str = "") -> tuple[Step, T] | None:
    """The first step `find` has an answer for, with the answer; None when none has."""
    for step in lookup_order(brand, locale):
        found = find(*step)
        if found is not None:
            return step, found
    return None


def is_language_fallback(asked: str, answered_language: str) -> bool:
    """A locale was asked for and the text that answered is in another language (or in an
    unknown one: a base text whose brand never declared its language)."""
    return bool(asked) and language(asked) != answered_language
