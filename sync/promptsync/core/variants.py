"""Which variant of a prompt a subject gets: the one assignment the reader, the API and the
page show.

A subject (a user or conversation id) falls in one of 10,000 buckets by a stable hash of
(brand, type, subject): MurmurHash3 (x86, 32 bits, seed 0) of the UTF-8 text
`<brand>/<TYPE>/<subject>`, modulo 10,000, so another system (an analytics job) can compute
the same bucket. The variants take ranges of buckets in file order, 100 per percent of weight;
the buckets left over are `control`, the file's own template. So:

- the same subject gets the same variant in every process, after restarts, and after edits to
  the texts or to other prompts (nothing but the brand, type and subject feeds the hash);
- the asked brand, not the one that answers, feeds it, and no locale does: a customer keeps
  their variant in every language whose text runs the same variants (see
  promptsync.validate.translations);
- raising the last variant's weight moves subjects from control into it and nobody else
  (raising an earlier one shifts the ranges after it as well).

MurmurHash3 (the `mmh3` wheel) is what feature-flag tools bucket with; it is as fast as
zlib.crc32 here, and unlike a CRC its output bits are not linear in its input.
"""

from __future__ import annotations

from collections.abc import Iterable

import mmh3

from promptsync.model import PromptType
from promptsync.record import BUCKETS, Variant, Variants


def bucket(brand: str, type_: PromptType, subject: object) -> int:
    """The subject's bucket for (brand, type), 0 <= bucket < BUCKETS."""
    return mmh3.hash(f"{brand}/{type_.value}/{subject}", 0, False) % BUCKETS


def assign(variants: Variants, brand: str, type_: PromptType, subject: object) -> str:
    """The name of the variant `subject` gets (`control`: the file's own template)."""
    return variants.name_at(bucket(brand, type_, subject))



def changes(before: Iterable[Variant], after: Iterable[Variant]) -> tuple[str, ...]:
    """What changed in a prompt's variants, in words, in the order of the new file (then the
    removed ones): `+brief 10%`, `warm 20% → 30%`, `warm: text`, `-short`; () when nothing
    did. The one wording of history, the audit log and the pull-request preview."""
    old = {v.name: v for v in before}
    new = {v.name: v for v in after}
    said: list[str] = []
    for name, v in new.items():
        was = old.get(name)
        if was is None:
            said.append(f"+{name} {v.weight}%")
            continue
        if was.weight != v.weight:
            said.append(f"{name} {was.weight}% → {v.weight}%")
        if was.template != v.template:
            said.append(f"{name}: text")
    said += [f"-{name}" for name in old if name not in new]
    return tuple(said)
