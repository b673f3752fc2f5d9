"""Which variant of a prompt a subject gets: the one assignment the reader, the API and the
page show.

A subject (a user or conversation id) falls in one of 10,000 buckets by a stable hash of
(brand, type, subject): h = MurmurHash3 (x86, 32 bits, unsigned) of the subject's UTF-8 text,
seeded with MurmurHash3 (seed 0) of `<brand>/<TYPE>` (`acme/GREETING`); its bucket is
h * 10,000 >> 32. Another system (an analytics job) can compute the same bucket. The variants
take ranges of buckets in file order, 100 per percent of weight; the buckets left over are
`control`, the file's own template. So:

- the same subject gets the same variant in every process, after restarts, and after edits to
  the texts or to other prompts (nothing but the brand, type and subject feeds the hash);
- the asked brand, not the one that answers, feeds it, and no locale does: a customer keeps
  their variant in every language whose text runs the same variants (see
  promptsync.validate.translations);
- raising the last variant's weight moves subjects from control into it and nobody else
  (raising an earlier one shifts the ranges after it as well).

MurmurHash3 (the `mmh3` wheel) is what feature-flag tools bucket with; it is as fast as
zlib.crc32 here, and unlike a CRC its output bits are not linear in its input. Seeding it with
the (brand, type) rather than hashing one joined text spares a memory hit a string join.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mmh3

from promptsync.model import PromptType
from promptsync.record import BUCKETS, Variant, Variants

# subject_hash(text_of(subject), seed_of(brand, type), False): the 32-bit hash of a subject for
# (brand, type), called as is (positional arguments) by a reader's memory hit: no Python frame.
subject_hash: Callable[[Any, int, bool], int] = mmh3.hash


def text_of(subject: object) -> str | bytes:
    """What of a subject is hashed: its text (bytes as they are: UTF-8 hashes alike), anything
    else its str(), so a user id 42 and "42" are one subject."""
    return subject if isinstance(subject, str | bytes) else str(subject)


def seed_of(brand: str, type_: PromptType) -> int:
    """The seed of (brand, type)'s subject hashes."""
    return mmh3.hash(f"{brand}/{type_.value}", 0, False)


def bucket(brand: str, type_: PromptType, subject: object) -> int:
    """The subject's bucket for (brand, type), 0 <= bucket < BUCKETS: the 32-bit hash scaled
    to the buckets by multiply-shift (its high bits, not a modulo's low ones)."""
    return (subject_hash(text_of(subject), seed_of(brand, type_), False) * BUCKETS) >> 32


def assign(variants: Variants, brand: str, type_: PromptType, subject: object) -> str:
    """The name of the variant `subject` gets (`control`: the file's own template)."""
    return variants.name_at(bucket(brand, type_, subject))


def thresholds(variants: Variants) -> tuple[int, ...]:
    """The variants' ranges as hash values: `bisect_right(thresholds(v), hash)` is
    `v.index(bucket)` for the hash's bucket (hash * BUCKETS >> 32 < bound exactly when hash
    is below the bound's threshold), so a reader assigns with two C calls and no frame."""
    return tuple(-(-(bound << 32) // BUCKETS) for bound in variants.bounds)


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
