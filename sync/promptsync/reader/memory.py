"""The in-process tier: an LRU trusted only while something vouches for its freshness.

With Redis that is the events channel: the subscriber raises `generation_seen` before it drops
the changed entries. Without Redis it is the database's generation, polled
(`promptsync.reader.generation`): a changed generation drops every entry. Either way `store`
refuses a copy stamped older than `generation_seen`: a read that raced a commit can answer
its own caller but never lingers here. Past `healthy_until` (a silent subscription, a poll
that is due) the reader does not trust this tier; on every (re)subscription it starts empty,
since events may have been missed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence

from promptsync.cache.protocol import decode_event
from promptsync.locale import LocaleError, chain, normalize
from promptsync.lru import LRU
from promptsync.model import DEFAULT_BRAND, PromptId, PromptType
from promptsync.record import Prompt

# (brand, type) without a locale; (brand, type, locale as the caller spelled it) with one, so a
# hit needs no normalising (see reached_by()).
Key = tuple[str, PromptType] | tuple[str, PromptType, str]
# How long one heartbeat (a pong or any message) keeps the tier trusted.
HEALTH_WINDOW = 1.0


class MemoryTier:
    def __init__(self, max_entries: int = 10_000) -> None:
        # Callers choose the brands: bounded, and the least recently read entry goes first.
        self.entries: LRU[Key, Prompt] = LRU(max_entries)
        self.healthy_until = 0.0
        self.generation_seen = 0
        # For the fleet report, read by the heartbeat thread without a lock: the commit of the
        # last event, when one was last heard (monotonic, 0.0 never), and who to tell when the
        # generation moves (so a pick-up is reported at once, not at the next heartbeat).
        self.commit_seen = ""
        self.event_heard_at = 0.0
        self.on_generation: Callable[[], None] | None = None
        self._live = False
        self._localized = False  # whether any key has a locale: only then scan on an event
        self._lock = threading.Lock()

    def subscribed(self, generation: int | None) -> None:
        """A (new) subscription is live; `generation` is promptsync:gen read after subscribing."""
        with self._lock:
            self.entries.clear()
            before = self.generation_seen
            if generation is not None and generation > before:
                self.generation_seen = generation
                self.commit_seen = ""  # known again with the next event
            self._live = True
        self.heartbeat()
        self._moved(before)

    def polled(self, generation: int, fresh_until: float) -> None:
        """Without Redis: the database is at `generation`; trust the tier until `fresh_until`."""
        self.observe(generation)
        self._live = True
        self.healthy_until = fresh_until

    def observe(self, generation: int) -> None:
        """The source's generation now; any other than the one seen drops every entry (one
        lower too: the database was restored, and entries from its future are wrong)."""
        if generation == self.generation_seen:
            return
        with self._lock:
            before = self.generation_seen
            if generation != before:
                self.generation_seen = generation
                self.commit_seen = ""
                self.entries.clear()
        self._moved(before)

    def heartbeat(self) -> None:
        if self._live:
            self.healthy_until = time.monotonic() + HEALTH_WINDOW

    def unsubscribed(self) -> None:
        with self._lock:
            self._live = False
            self.healthy_until = 0.0
            self.entries.clear()

    def store(self, key: Key, prompt: Prompt, generation: int) -> None:
        """Keep a copy read at `generation`, unless a newer commit was announced meanwhile."""
        if not self._live:
            return  # checked again under the lock; this only spares the copy below
        if prompt.source == "fallback":
            kept = prompt
        elif prompt.variants:  # its own Variants: what a hit with a subject keeps in its memo
            kept = prompt._replace(source="memory", variants=prompt.variants.copy())
        else:
            kept = prompt._replace(source="memory")
        with self._lock:
            if not self._live or generation < self.generation_seen:
                return
            self._localized = self._localized or len(key) == 3
            self.entries.put(key, kept)

    def apply_event(self, payload: bytes | str) -> None:
        """Drop what a published commit changed; anything unreadable drops everything."""
        try:
            event = decode_event(payload)
        except ValueError:
            with self._lock:
                self.entries.clear()
            return
        with self._lock:
            before = self.generation_seen
            self.generation_seen = max(self.generation_seen, event.generation)
            self._drop(event.changed)
        self.event_heard_at = time.monotonic()
        if event.generation >= before:
            self.commit_seen = event.commit
        self._moved(before)

    def _moved(self, before: int) -> None:
        listener = self.on_generation
        if listener is not None and self.generation_seen != before:
            listener()

    def _drop(self, ids: Sequence[PromptId]) -> None:
        # A brand's base text answers its (brand, type) key: dropped by key. Whatever may
        # answer other keys (a default text answers every brand without its own; a base text
        # or translation answers the locales on whose chain it is) takes one pass over the
        # entries for the whole event, however many ids it names.
        for pid in ids:
            if pid.brand != DEFAULT_BRAND and not pid.locale:
                self.entries.pop((pid.brand, pid.type))
        wide = ids if self._localized else [i for i in ids if i.brand == DEFAULT_BRAND]
        if wide:
            self.entries.discard_where(reached_by(wide))

    def reset(self) -> None:
        """After a fork: a fresh lock, nothing trusted until the child's own subscription (and
        nobody told of a move until the child's own fleet report starts)."""
        self._lock = threading.Lock()
        self.on_generation = None
        self.entries.reset_lock()
        self._live = False
        self.healthy_until = 0.0
        self.entries.clear()


def reached_by(ids: Iterable[PromptId]) -> Callable[[Key], bool]:
    """Whether the answer cached under a key may come from one of the texts at `ids`."""
    changed: dict[tuple[str, PromptType], set[str]] = {}
    for i in ids:
        changed.setdefault((i.brand, i.type), set()).add(i.locale)
    none: set[str] = set()

    def reached(key: Key) -> bool:
        mine = changed.get((key[0], key[1]), none)
        default = changed.get((DEFAULT_BRAND, key[1]), none)
        if not (mine or default):
            return False
        asked = {""}
        if len(key) == 3:
            try:
                asked.update(chain(normalize(key[2])))
            except LocaleError:
                return True  # never stored (a malformed tag reads the base text): drop it
        return bool(mine & asked or default & asked)

    return reached
