"""The assignment rule: one bucket per (brand, type, subject), ranges in file order, and the
thresholds a memory hit bisects give the very same variant as the buckets."""

from __future__ import annotations

import random
from bisect import bisect_right

from promptsync.core.variants import (
    assign,
    bucket,
    seed_of,
    subject_hash,
    text_of,
    thresholds,
)
from promptsync.model import PromptType
from promptsync.record import BUCKETS, Variant, Variants

T = PromptType.GREETING
VARIANTS = Variants([Variant("warm", 30, "a"), Variant("paused", 0, "b"),
                     Variant("short", 7, "c"), Variant("last", 63, "d")])


def test_ranges_follow_the_file_order_and_control_takes_the_rest() -> None:
    few = Variants([Variant("warm", 30, "a"), Variant("short", 20, "b")])
    assert few.bounds == (3000, 5000)
    assert [few.name_at(b) for b in (0, 2999, 3000, 4999, 5000, BUCKETS - 1)] == [
        "warm", "warm", "short", "short", "control", "control"]
    assert VARIANTS.name_at(3000) == "short"  # a weight of 0 takes no bucket


def test_thresholds_give_the_buckets_answer_at_every_edge() -> None:
    edges = thresholds(VARIANTS)
    hashes = [h for t in edges for h in (t - 1, t, t + 1)] + [0, 2**32 - 1]
    rng = random.Random(22)
    hashes += [rng.getrandbits(32) for _ in range(20_000)]
    for h in hashes:
        assert bisect_right(edges, h) == VARIANTS.index((h * BUCKETS) >> 32), h


def test_the_hash_is_of_brand_type_and_subject_text_only() -> None:
    seed = seed_of("acme", T)
    assert bucket("acme", T, "42") == bucket("acme", T, 42) == bucket("acme", T, b"42")
    assert bucket("acme", T, "42") == (subject_hash(text_of("42"), seed, False) * BUCKETS) >> 32
    # Known values: another system computing MurmurHash3 must land where we do.
    assert seed == 2649056073 and bucket("acme", T, "conversation-1") == 2766
    others = {bucket(b, t, "conversation-1") for b in ("acme", "beta") for t in PromptType}
    assert len(others) > 6  # brand and type take part
    assert assign(VARIANTS, "acme", T, "conversation-1") == VARIANTS.name_at(2766)
