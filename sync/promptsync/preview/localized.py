"""Which file answers a prompt for a locale, read from a tree as the runtime would serve it.

`preview acme/greeting --locale de-CH` walks the documented order (promptsync.core.resolution) over
the files of the working tree or a commit, and says which brand and locale answered, and
whether that is a language fallback (a text in another language than the one asked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from promptsync import brands
from promptsync.core.resolution import is_language_fallback, lookup_order
from promptsync.locale import language
from promptsync.model import DEFAULT_BRAND, PromptDoc, PromptId
from promptsync.tree import Tree
from promptsync.validate.translations import base_of


@dataclass(frozen=True)
class Answer:
    asked: PromptId
    answer: PromptId | None  # None: nothing in the tree, the built-in text would answer
    answer_language: str
    base_paths: tuple[str, ...]  # the base text of a translation that answers (its samples)

    def describe(self, locale: str) -> str:
        """`acme/greeting in de-CH: answered by default/greeting.de` and why, for a person."""
        head = f"{self.asked} in {locale}: answered by {self.answer}"
        if self.answer is None:
            return f"{self.asked} in {locale}: nothing answers; the built-in text would"
        if is_language_fallback(locale, self.answer_language):
            spoken = self.answer_language or "a language its brand does not declare"
            return (f"{head} ({spoken}), a language fallback: neither {self.asked.brand} nor "
                    f"{DEFAULT_BRAND} has a text in {language(locale)}")
        if self.answer.brand != self.asked.brand:
            return f"{head} ({self.asked.brand} has no {self.answer.locale} text of its own)"
        return head


def _steps(wanted: PromptId, locale: str | None) -> list[PromptId]:
    if locale is None:
        return [wanted]
    return [PromptId(b, wanted.type, tag) for b, tag in lookup_order(wanted.brand, locale)]


def candidate_paths(wanted: PromptId, locale: str | None) -> list[str]:
    """All a preview of `wanted` reads from a working tree: the files that may answer, the base
    texts a translation may borrow samples from, and (with a locale) the brand files that say
    which language a base text is in."""
    paths = [p.path for p in _steps(wanted, locale)]
    if wanted.locale or locale:
        paths += [wanted.base.path, PromptId(DEFAULT_BRAND, wanted.type).path]
    if locale:
        paths += [brands.brand_file_path(wanted.brand), brands.brand_file_path(DEFAULT_BRAND)]
    return list(dict.fromkeys(paths))


def answering(tree: Tree, wanted: PromptId, locale: str | None) -> Answer:
    present = tree.prompt_files()
    if locale is None:
        answer: PromptId | None = wanted if wanted in present else None
    else:
        answer = next((p for p in _steps(wanted, locale) if p in present), None)
    if answer is None:
        return Answer(wanted, None, "", ())
    base = base_of(answer, present.keys()) if answer.locale else None
    return Answer(wanted, answer, _language(tree, answer),
                  (base.path,) if base is not None else ())


def _language(tree: Tree, answer: PromptId) -> str:
    if answer.locale:
        return language(answer.locale)
    files = [(f.path, f.read()) for f in tree.files if brands.brand_of_file(f.path) is not None
             and not (f.is_symlink or f.is_gitlink)]
    return language(brands.effective(brands.read_all(files), answer.brand).language)


def with_base_samples(doc: PromptDoc, prompts: Mapping[PromptId, PromptDoc]) -> PromptDoc:
    """A translation without samples of its own previews with its base text's."""
    if not doc.locale or doc.samples:
        return doc
    base_id = base_of(doc.id, prompts.keys())
    base = prompts.get(base_id) if base_id is not None else None
    return replace(doc, samples=base.samples) if base is not None else doc
