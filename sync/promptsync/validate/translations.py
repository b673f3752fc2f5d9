"""The checks that put a translation beside its base file and its brand's declarations.

A translation (`prompts/acme/greeting.de.yaml`) renders the same situation as its base text in
another language: the text the brand serves without a locale, its own `prompts/acme/greeting.yaml`
or, when it has none, `default`'s (a brand may override only its German greeting). It may use only
that base's variables and records the base version it was made from. A base that moved on since is a
*stale* translation: a warning that names both versions and, given the git history, shows what
changed in the base's text, so the translator sees what to carry over.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from promptsync.brands import BrandInfo, effective
from promptsync.model import DEFAULT_BRAND, PromptDoc, PromptId
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error, warning


class BaseHistory(Protocol):
    """Where the base text's earlier versions come from (git, in `validate`)."""

    def change(self, base: PromptDoc, since: int) -> str:
        """What changed in `base`'s template from version `since` to its current one, as
        lines to show a translator, or a sentence saying why that cannot be shown."""
        ...


def check_translations(present: Sequence[PromptId], prompts: Mapping[PromptId, PromptDoc],
                       brands: Mapping[str, BrandInfo], *, whole_tree: bool,
                       history: BaseHistory | None = None) -> list[Finding]:
    """Findings about every translation among `present` (the ids of the files checked);
    `prompts` are the files that passed their own checks."""
    findings: list[Finding] = []
    ids = set(present)
    # Unsorted: the report sorts its findings, and sorting 20,000 ids cost half of this check.
    for prompt_id in [p for p in ids if p.locale]:
        base_id = base_of(prompt_id, ids)
        if whole_tree and base_id is None:
            findings.append(_without_base(prompt_id))
        doc = prompts.get(prompt_id)
        if doc is None:
            continue  # its own findings come first
        findings += _not_served(doc, effective(brands, prompt_id.brand))
        base = prompts.get(base_id) if base_id is not None else None
        if base is not None:
            findings += _variables(doc, base)
            findings += _variants(doc, base)
            findings += _translated_from(doc, base, history)
    return findings


def base_of(prompt_id: PromptId, present: Collection[PromptId]) -> PromptId | None:
    """The base text a translation translates: its brand's own, else `default`'s."""
    for candidate in (prompt_id.base, PromptId(DEFAULT_BRAND, prompt_id.type)):
        if candidate in present:
            return candidate
    return None


def _without_base(prompt_id: PromptId) -> Finding:
    default_base = PromptId(DEFAULT_BRAND, prompt_id.type)
    return error(prompt_id.path, 1, 1, codes.TRANSLATION_WITHOUT_BASE,
                 f"{prompt_id} has no base text to translate: neither {prompt_id.base.path} nor "
                 f"{default_base.path} exists", f"add {prompt_id.base.path} first")


def _not_served(doc: PromptDoc, brand: BrandInfo) -> list[Finding]:
    if brand.serves(doc.locale):
        return []
    declared = ", ".join(brand.locales or ()) or "none"
    return [error(doc.id.path, doc.locale_line, 1, codes.LOCALE_NOT_SERVED,
                  f"brand '{doc.id.brand}' does not serve {doc.locale} (its locales: "
                  f"{declared}), so no customer would be answered from this file",
                  f"add {doc.locale} to locales: in prompts/{doc.id.brand}/brand.yaml "
                  "(or in prompts/default/brand.yaml when the brand has none)")]


def _variables(doc: PromptDoc, base: PromptDoc) -> list[Finding]:
    theirs = {v.name: v for v in base.variables}
    findings = []
    for variable in doc.variables:
        original = theirs.get(variable.name)
        if original is None:
            message = (f"'{variable.name}' is not a variable of {base.id.path}; a translation "
                       "may use only the variables its base text declares")
            hint = "remove it, or add it to the base text first"
        elif original.type != variable.type:
            message = (f"'{variable.name}' is a {original.type} in {base.id.path} but a "
                       f"{variable.type} here")
            hint = f"set type: {original.type}"
        else:
            continue
        findings.append(error(doc.id.path, variable.line, 3, codes.TRANSLATION_VARIABLE,
                              message, hint))
    return findings


def _variants(doc: PromptDoc, base: PromptDoc) -> list[Finding]:
    """A translation that runs variants runs its base's: a subject is assigned by (brand,
    type, subject) alone, so the same names and weights in the same order give it the same
    variant in every language. A translation without variants serves its own template
    (control) to every subject."""
    mine = [(v.name, v.weight) for v in doc.variants]
    theirs = [(v.name, v.weight) for v in base.variants]
    if not mine or mine == theirs:
        return []
    shown = ", ".join(f"{n} {w}%" for n, w in theirs) or "none"
    return [error(doc.id.path, doc.variants_line, 1, codes.TRANSLATION_VARIANTS,
                  f"a translation's variants are its base text's, by name and weight in the "
                  f"same order, so a customer keeps their variant across languages; "
                  f"{base.id.path} has: {shown}",
                  "copy the names and weights from the base text, or leave variants out "
                  "(every customer then reads this file's template)")]


def _translated_from(doc: PromptDoc, base: PromptDoc,
                     history: BaseHistory | None) -> list[Finding]:
    made_from = doc.translated_from
    if made_from is None or made_from == base.version:
        return []
    where = (doc.id.path, doc.translated_from_line, 1)
    if made_from > base.version:
        return [error(*where, codes.TRANSLATED_FROM_AHEAD,
                      f"translated_from is {made_from}, but {base.id.path} is only at version "
                      f"{base.version}", f"set translated_from: {base.version}")]
    shown = history.change(base, made_from) if history is not None else ""
    return [warning(*where, codes.STALE_TRANSLATION,
                    f"stale translation: made from version {made_from} of {base.id.path}, which "
                    f"is now at version {base.version}" + (f"; {shown}" if shown else ""),
                    f"carry the change over, then set translated_from: {base.version}")]
