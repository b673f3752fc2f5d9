"""Locale tags (BCP 47, the subset a chatbot's translations need) and the lookup chain.

A tag is a language (`de`), optionally a script (`zh-Hant`) and a region (`de-CH`, `es-419`):
language lower case, script title case, region upper case. Callers write tags every which way
(`de_CH`, `DE-ch`), so `normalize` accepts any case and `_` for `-` and answers the one spelling
file names, database rows and cache keys use.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SUBTAGS = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?")
CANONICAL_RE = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?")
# The longest tag `normalize` can produce: language, script and region.
MAX_TAG_CHARS = 12


class LocaleError(ValueError):
    """A locale tag that is not a language[-Script][-REGION] tag."""


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """`de_CH`, `DE-ch`, `de-ch` -> `de-CH`; LocaleError naming the expected shape otherwise."""
    raw = text.strip() if isinstance(text, str) else ""
    if not _SUBTAGS.fullmatch(raw):
        raise LocaleError(f"{text!r} is not a locale tag like de, de-CH or pt-BR")
    parts = raw.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.title() if len(part) == 4 else part.upper())
    return "-".join(out)


def is_canonical(text: str) -> bool:
    """Whether `text` is already spelled the one way (what a file name must use)."""
    return bool(CANONICAL_RE.fullmatch(text))


@lru_cache(maxsize=4096)
def chain(tag: str) -> tuple[str, ...]:
    """The tags to look for, most specific first: `zh-Hant-TW` -> zh-Hant-TW, zh-Hant, zh.

    RFC 4647 lookup: drop the last subtag until only the language is left. `tag` must be
    canonical (see `normalize`); the empty tag (the base text) has an empty chain.
    """
    if not tag:
        return ()
    parts = tag.split("-")
    return tuple("-".join(parts[:n]) for n in range(len(parts), 0, -1))


def language(tag: str) -> str:
    """The language subtag: `de-CH` -> `de`; "" for the empty tag."""
    return tag.split("-", 1)[0] if tag else ""
