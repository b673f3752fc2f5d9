"""The brand x type x locale matrix: for each cell, which file answers and how.

Each cell follows the one documented order (promptsync.core.resolution) over the prompts a tree
holds, as the runtime would after a sync of that tree:

- own: the brand's own text in the language asked (its `greeting.de.yaml` for de or de-CH);
- inherited: `default`'s text in that language (a brand without its own German greeting);
- language fallback: a base text in another language answers (the customer reads the wrong
  language), or nothing does and the built-in text would;
- stale: an own or inherited translation whose base moved on since it was made.

The locales are the union of those the brands declare (prompts/<brand>/brand.yaml, or
default's), or the one asked for; a cell of a locale its brand does not declare is shown but
not counted as a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from promptsync.brands import BrandInfo, effective
from promptsync.core.resolution import is_language_fallback, resolve
from promptsync.defaults import BUILTIN_LANGUAGE
from promptsync.locale import language
from promptsync.model import DEFAULT_BRAND, PromptDoc, PromptId, PromptType
from promptsync.validate.translations import base_of

OWN, INHERITED, FALLBACK, BUILTIN = "own", "inherited", "fallback", "built-in"


@dataclass(frozen=True)
class Cell:
    """What brand `brand` serves for `type` to a customer asking for `locale`."""

    brand: str
    type: PromptType
    locale: str
    declared: bool  # whether the brand declares this locale (else shown, not counted)
    source: str  # own | inherited | fallback | built-in
    answered_by: PromptId | None  # None: the built-in text
    answered_language: str
    stale_since: int | None = None  # the translation's translated_from, when stale
    base_version: int | None = None  # its base's version now, when stale

    @property
    def language_fallback(self) -> bool:
        return self.source in (FALLBACK, BUILTIN)

    @property
    def stale(self) -> bool:
        return self.stale_since is not None

    @property
    def gap(self) -> bool:
        """A declared locale answered in another language: what `--strict` fails on."""
        return self.declared and self.language_fallback


@dataclass(frozen=True)
class Matrix:
    label: str  # what was read: "the working tree", "main (1a2b3c4)"
    brands: tuple[str, ...]
    locales: tuple[str, ...]
    infos: Mapping[str, BrandInfo]  # each brand's effective declarations
    cells: tuple[Cell, ...]
    skipped: int = 0  # files left out because they do not validate

    def cell(self, brand: str, type_: PromptType, locale: str) -> Cell:
        return next(c for c in self.cells
                    if (c.brand, c.type, c.locale) == (brand, type_, locale))

    @property
    def gaps(self) -> list[Cell]:
        return [c for c in self.cells if c.gap]


def build(label: str, prompts: Mapping[PromptId, PromptDoc], declared: Mapping[str, BrandInfo],
          *, brands: Iterable[str] | None = None, locales: Iterable[str] | None = None,
          skipped: int = 0) -> Matrix:
    """The matrix of `prompts` (the valid prompts of a tree) and the brand files' declarations;
    `brands` and `locales` narrow it (default: every brand, every declared locale)."""
    every = sorted({p.brand for p in prompts} | set(declared) | {DEFAULT_BRAND})
    chosen = tuple(sorted(brands)) if brands is not None else tuple(every)
    infos = {b: effective(declared, b) for b in chosen}
    shown = tuple(locales) if locales is not None else _declared_locales(infos.values())
    cells = tuple(_cell(prompts, declared, b, t, tag)
                  for b in chosen for t in PromptType for tag in shown)
    return Matrix(label, chosen, shown, infos, cells, skipped)


def _declared_locales(infos: Iterable[BrandInfo]) -> tuple[str, ...]:
    return tuple(sorted({tag for info in infos for tag in info.locales or ()}))


def _cell(prompts: Mapping[PromptId, PromptDoc], infos: Mapping[str, BrandInfo], brand: str,
          type_: PromptType, locale: str) -> Cell:
    info = effective(infos, brand)
    declared = info.locales is not None and info.serves(locale)
    found = resolve(lambda b, tag: prompts.get(PromptId(b, type_, tag)), brand, locale)
    if found is None:
        return Cell(brand, type_, locale, declared, BUILTIN, None, BUILTIN_LANGUAGE)
    (answer_brand, answer_locale), doc = found
    # A base text is in the language its brand declares (default's, when the brand says none).
    spoken = language(answer_locale) if answer_locale else \
        language(effective(infos, answer_brand).language)
    if is_language_fallback(locale, spoken):
        source = FALLBACK
    else:
        source = OWN if answer_brand == brand else INHERITED
    since, now = _staleness(prompts, doc)
    return Cell(brand, type_, locale, declared, source, doc.id, spoken, since, now)


def _staleness(prompts: Mapping[PromptId, PromptDoc],
               doc: PromptDoc) -> tuple[int | None, int | None]:
    if not doc.locale or doc.translated_from is None:
        return None, None
    base_id = base_of(doc.id, prompts.keys())
    base = prompts.get(base_id) if base_id is not None else None
    if base is None or base.version <= doc.translated_from:
        return None, None
    return doc.translated_from, base.version
