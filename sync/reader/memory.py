"""The in-process tier: an LRU kept fresh by the events channel, trusted only while it listens.

Every entry was read from Redis or the database at some generation. The subscriber raises
`generation_seen` before it drops the changed entries, and `store` refuses a copy stamped
older than that: a read that raced a commit can answer its own caller but never lingers here.
While the subscription is down (`healthy_until` in the past) the reader bypasses this tier;
on every (re)subscription the tier starts empty, since events may have been missed.
"""

from __future__ import annotations

import threading
import time

from promptsync.cache.protocol import decode_event
from promptsync.lru import LRU
from promptsync.model import DEFAULT_BRAND, PromptId, PromptType
from promptsync.record import Prompt

Key = tuple[str, PromptType]
# How long one heartbeat (a pong or any message) keeps the tier trusted.
HEALTH_WINDOW = 1.0


class MemoryTier:
    def __init__(self, max_entries: int = 10_000) -> None:
        # Callers choose the brands: bounded, and the least recently read entry goes first.
        self.entries: LRU[Key, Prompt] = LRU(max_entries)
        self.healthy_until = 0.0
        self.generation_seen = 0
        self._subscribed = False
        self._lock = threading.Lock()

    def subscribed(self, generation: int | None) -> None:
        """A (new) subscription is live; `generation` is promptsync:gen read after subscribing."""
        with self._lock:
            self.entries.clear()
            if generation is not None:
                self.generation_seen = max(self.generation_seen, generation)
            self._subscribed = True
        self.heartbeat()

    def heartbeat(self) -> None:
        if self._subscribed:
            self.healthy_until = time.monotonic() + HEALTH_WINDOW

    def unsubscribed(self) -> None:
        with self._lock:
            self._subscribed = False
            self.healthy_until = 0.0
            self.entries.clear()

    def store(self, key: Key, prompt: Prompt, generation: int) -> None:
        """Keep a copy read at `generation`, unless a newer commit was announced meanwhile."""
        if not self._subscribed:
            return  # checked again under the lock; this only spares the copy below
        kept = prompt if prompt.source == "fallback" else prompt._replace(source="memory")
        with self._lock:
            if not self._subscribed or generation < self.generation_seen:
                return
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
            self.generation_seen = max(self.generation_seen, event.generation)
            for pid in event.changed:
                self._drop(pid)

    def _drop(self, pid: PromptId) -> None:
        if pid.brand != DEFAULT_BRAND:
            self.entries.pop((pid.brand, pid.type))
            return
        # Every brand without its own prompt of this type resolved to the default one.
        self.entries.discard_where(lambda key: key[1] is pid.type)

    def reset(self) -> None:
        """After a fork: a fresh lock, nothing trusted until the child's own subscription."""
        self._lock = threading.Lock()
        self.entries.reset_lock()
        self._subscribed = False
        self.healthy_until = 0.0
        self.entries.clear()
