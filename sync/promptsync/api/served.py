"""What the runtime serves now, as the API shows it: one prompt through `PromptReader`'s tiers,
or every cell of brands x types from one read of the `prompts` table.

No HTTP here. The per-request work of a GET is a reader hit plus two LRU look-ups: the time a
version went live and the answer's JSON are both fixed once (brand, type, locale, the answering
row) is, so they are computed once per row state, not per request.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from promptsync.core.resolution import is_language_fallback, lookup_order
from promptsync.defaults import builtin
from promptsync.lru import LRU
from promptsync.model import DEFAULT_BRAND, PromptType
from promptsync.reader import PromptReader
from promptsync.record import BUILTIN_COMMIT, Prompt
from promptsync.store.state import (
    Published,
    as_utc,
    live_brands,
    published_generation,
    published_prompts,
    synced_at,
)

BRANDS_RECHECK_SECONDS = 0.5


@dataclass(frozen=True)
class Served:
    """One answer: its JSON body (bytes, ready to send) and its ETag."""

    body: bytes
    etag: str


def etag_of(asked_brand: str, answered_by: str, version: int, answered_locale: str,
            builtin_text: bool) -> str:
    """`"<version>"` for the brand's own text (what If-Match of an edit takes); inherited and
    built-in texts are qualified, so a brand's own v1 never matches default's v1."""
    tag = str(version)
    if builtin_text:
        tag = f"builtin-{tag}"
    elif answered_by != asked_brand:
        tag = f"{answered_by}-{tag}"
    if answered_locale:
        tag = f"{tag}-{answered_locale}"
    return f'"{tag}"'


def resolved_from(asked_brand: str, answered_by: str, commit: str) -> str:
    if commit == BUILTIN_COMMIT:
        return "builtin"
    return "own" if answered_by == asked_brand else "default"


def as_json(asked_brand: str, t: PromptType, locale: str, prompt: Prompt, answered_locale: str,
            live_since: datetime | None) -> dict[str, Any]:
    source = resolved_from(asked_brand, prompt.brand, prompt.commit)
    answered_by = "builtin" if source == "builtin" else prompt.brand
    return {
        "brand": asked_brand, "type": t.value, "locale": locale, "answered_by": answered_by,
        "answered_locale": answered_locale, "answered_language": prompt.language,
        "language_fallback": is_language_fallback(locale, prompt.language),
        "resolved_from": source, "version": prompt.version,
        "commit": prompt.commit, "template": prompt.template,
        "variables": {name: dict(spec) for name, spec in prompt.variables.items()},
        "live_since": None if live_since is None else as_utc(live_since).isoformat(),
        "etag": etag_of(asked_brand, prompt.brand, prompt.version, answered_locale,
                        source == "builtin"),
        # Only for a prompt that runs variants: any other answer is what it was before them.
        **({"variant": prompt.variant,
            "variants": [{"name": v.name, "weight": v.weight} for v in prompt.variants]}
           if prompt.variants else {})}


class ServedPrompts:
    """The API's view of what is live; one per application."""

    def __init__(self, reader: PromptReader, engine: Engine) -> None:
        self.reader = reader
        self.engine = engine
        self._answers: LRU[tuple[Any, ...], Served] = LRU(20_000)
        self._brands: frozenset[str] = frozenset()
        self._brands_generation: int | None = None
        self._brands_checked = 0.0

    async def one(self, brand: str, t: PromptType, locale: str,
                  subject: str | None = None) -> Served:
        """The answer the runtime gives (to `subject`: its variant, promptsync.core.variants)."""
        prompt = await self.reader.aget(brand, t, locale or None, subject)
        answered_locale = prompt.locale
        key = (brand, t, locale, prompt.brand, answered_locale, prompt.language, prompt.version,
               prompt.commit, prompt.variant)
        found = self._answers.get(key)
        if found is None:
            live = None if prompt.commit == BUILTIN_COMMIT else await asyncio.to_thread(
                self._live_since, prompt.brand, t, answered_locale)
            body = as_json(brand, t, locale, prompt, answered_locale, live)
            found = Served(json.dumps(body).encode(), body["etag"])
            self._answers.put(key, found)
        return found

    def _live_since(self, brand: str, t: PromptType, locale: str) -> datetime | None:
        try:
            return synced_at(self.engine, brand, t, locale)
        except Exception:  # the reader answered from a cache: the time is not essential
            return None

    async def known_brand(self, brand: str) -> bool:
        """Whether the database holds any prompt of `brand` (default always counts): the set is
        re-read when the generation moved, which is looked at twice a second at most. While
        the database cannot answer, the set last read stands (the reader answers from its
        other tiers); with none read yet, the database's error is raised."""
        if brand == DEFAULT_BRAND or brand in self._brands:
            return True
        if time.monotonic() - self._brands_checked >= BRANDS_RECHECK_SECONDS:
            try:
                await asyncio.to_thread(self._refresh_brands)
            except SQLAlchemyError:
                if self._brands_generation is None:
                    raise
        return brand in self._brands

    def _refresh_brands(self) -> None:
        generation = published_generation(self.engine)
        if generation != self._brands_generation:
            self._brands, self._brands_generation = live_brands(self.engine), generation
        # Only once the database answered: a failed read is tried again by the next request.
        self._brands_checked = time.monotonic()

    def table(self, brand: str | None, types: Iterable[PromptType],
              locale: str) -> list[dict[str, Any]]:
        """Every (brand, type) cell resolved from one read of the table: brand, else default,
        else built-in (with a locale, the languages order of promptsync.core.resolution); each
        cell also lists the brand's own translations of the type."""
        rows = published_prompts(self.engine)
        brands = [brand] if brand else sorted({b for b, _, _ in rows} | {DEFAULT_BRAND})
        translations: dict[tuple[str, PromptType], list[str]] = {}
        for b, t, tag in sorted(rows):
            if tag:
                translations.setdefault((b, t), []).append(tag)
        cells = []
        for b in brands:
            for t in types:
                cells.append(_cell(rows, b, t, locale) | {"locales": translations.get((b, t), [])})
        return cells


def _cell(rows: Published, brand: str, t: PromptType, locale: str) -> dict[str, Any]:
    for step_brand, step_locale in lookup_order(brand, locale):
        hit = rows.get((step_brand, t, step_locale))
        if hit is not None:
            return as_json(brand, t, locale, hit[0], step_locale, hit[1])
    return as_json(brand, t, locale, builtin(t), "", None)
