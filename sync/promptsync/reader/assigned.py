"""A read with a subject: the variant that answers it, and the count of answers per variant.

Which variant a subject gets is the core's answer (promptsync.core.variants.bucket); what is
here makes it cheap enough for a memory hit: the prompt each variant serves is made once per
cached copy (kept in the copy's `Variants.memo`, so a hit costs one hash and one bisect), and
the count is an `itertools.count` (one C call, atomic under the GIL) where a prometheus Counter
takes a lock; a scrape reads the counts through a collector.
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from promptsync.core.variants import seed_of, subject_hash, text_of, thresholds
from promptsync.model import CONTROL, PromptType
from promptsync.record import Prompt

Served = tuple[tuple[Prompt, Callable[[], int]], ...]


class VariantTally(Collector):
    """`promptsync_reader_variant_total{type,variant}`: the answers each variant gave to reads
    with a subject, of prompts that run variants (`control` included). One per process, in the
    default registry, like the reader's other metrics."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], itertools.count[int]] = {}
        self._lock = threading.Lock()

    def ticker(self, type_: PromptType, name: str) -> Callable[[], int]:
        """What one answer of `name` for `type_` calls."""
        with self._lock:
            found = self._counts.get((type_.value, name))
            if found is None:
                found = self._counts[(type_.value, name)] = itertools.count()
        return found.__next__

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "promptsync_reader_variant",
            "Answers to reads with a subject, by prompt type and the variant that answered "
            "(control: the file's own template), for prompts that run variants.",
            labels=["type", "variant"])
        with self._lock:
            counts = list(self._counts.items())
        for (type_, name), count in counts:
            family.add_metric([type_, name], _value(count))
        yield family


def _value(count: itertools.count[int]) -> int:
    # An itertools.count says its next value only in its repr ("count(42)"): the answers so far.
    return int(repr(count)[len("count("):-1])


TALLY = VariantTally()
REGISTRY.register(TALLY)


# What one cached copy keeps in its Variants.memo: the copy, the brand it answers, the core's
# seed of that brand and type and the variants' thresholds (promptsync.core.variants), and per
# variant index the prompt served and its counter.
Memo = tuple[Prompt, str, int, tuple[int, ...], Served]


def memo_of(prompt: Prompt, brand: str, type_: PromptType) -> Memo:
    """The memo of `prompt` (which runs variants) answering `brand`, made when missing."""
    memo: Memo | None = prompt.variants.memo
    if memo is None or memo[0] is not prompt or memo[1] != brand:
        memo = prompt.variants.memo = (prompt, brand, seed_of(brand, type_),
                                       thresholds(prompt.variants), _served(prompt))
    return memo


def assigned(prompt: Prompt, brand: str, type_: PromptType, subject: object) -> Prompt:
    """`prompt` (which runs variants) as it answers `subject` of `brand`: the variant's text and
    name, or itself for control; counted."""
    memo = memo_of(prompt, brand, type_)
    chosen, tick = memo[4][bisect_right(memo[3], subject_hash(text_of(subject), memo[2], False))]
    tick()
    return chosen


def _served(prompt: Prompt) -> Served:
    """What each variant answers with, control last (the index past the variants)."""
    arms = [(prompt._replace(template=v.template, variant=v.name),
             TALLY.ticker(prompt.type, v.name)) for v in prompt.variants]
    return (*arms, (prompt, TALLY.ticker(prompt.type, CONTROL)))
