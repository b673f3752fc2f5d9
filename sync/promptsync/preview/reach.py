"""What a change reaches: the (brand, locale) pairs whose served text it changes.

A prompt file answers for more than its own brand and locale: `default/greeting.de.yaml` is what
every brand without its own German greeting serves to German speakers, and a brand's base text
is what its customers read in any language it has no translation for. For each type a change
touches, each brand and each locale (the base text, the locales the brands declare, and any tag
a changed file names) is resolved in the one documented order on both sides; a pair whose
answering file (or that file's content) differs is reached. Only which files exist counts, as
for the runtime, so no file is validated or rendered here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from promptsync import brands
from promptsync.core.resolution import resolve
from promptsync.model import DEFAULT_BRAND, PromptId, PromptType
from promptsync.tree import SourceFile, Tree


@dataclass(frozen=True, order=True)
class Reached:
    """Brand `brand`, asked in `locale` ("" the base text), serves another `type` text now."""

    brand: str
    locale: str
    type: PromptType
    before: PromptId | None  # the file that answered; None: the built-in text
    after: PromptId | None


def reach(base: Tree, head: Tree, changed: Iterable[PromptId]) -> list[Reached]:
    """Every (brand, locale, type) whose answer differs between the trees, sorted."""
    changed = list(changed)
    if not changed:
        return []
    old, new = base.prompt_files(), head.prompt_files()
    every_brand = {i.brand for i in (*old, *new)} | {DEFAULT_BRAND}
    locales = {""} | {i.locale for i in changed} | _declared(base) | _declared(head)
    found = []
    for type_ in sorted({i.type for i in changed}):
        for brand in sorted(every_brand):
            for locale in sorted(locales):
                before, after = _answer(old, brand, type_, locale), _answer(new, brand, type_,
                                                                           locale)
                if before != after:
                    found.append(Reached(brand, locale, type_, _id(before), _id(after)))
    return sorted(found)


def pairs(reached: Iterable[Reached]) -> dict[tuple[str, str], list[Reached]]:
    """The reached cells by (brand, locale), in order."""
    out: dict[tuple[str, str], list[Reached]] = {}
    for r in sorted(reached):
        out.setdefault((r.brand, r.locale), []).append(r)
    return out


Answer = tuple[PromptId, str] | None  # the answering file's id and blob


def _answer(files: Mapping[PromptId, SourceFile], brand: str, type_: PromptType,
            locale: str) -> Answer:
    found = resolve(lambda b, tag: files.get(PromptId(b, type_, tag)), brand, locale)
    if found is None:
        return None
    (b, tag), source = found
    return PromptId(b, type_, tag), source.blob


def _id(answer: Answer) -> PromptId | None:
    return answer[0] if answer is not None else None


def _declared(tree: Tree) -> set[str]:
    files = [(f.path, f.read()) for f in tree.files
             if brands.brand_of_file(f.path) is not None and not (f.is_symlink or f.is_gitlink)]
    return {tag for info in brands.read_all(files).values() for tag in info.locales or ()}
