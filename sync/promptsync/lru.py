"""The one bounded in-process cache: least recently used entries go first.

Every cache in promptsync is keyed by something a caller or a repository chooses (brand names,
blob ids, template texts), so each one is bounded. Clearing a full dict throws away the hot
entries with the cold ones and a cache that stops adding stays cold for ever; an LRU keeps
what is used.

Reads take no lock: `OrderedDict` lookups and `move_to_end` are single C calls, atomic under
the GIL, and a key evicted between the two is simply not moved. Writes take a lock so the size
bound holds under concurrent writers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar, overload

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")


class LRU(Generic[K, V]):
    """A mapping of at most `max_entries` entries, and with `weigh`, of at most `max_bytes`
    (what `weigh` says each entry costs): an entry count alone lets a cache of texts a caller
    chooses grow with the size of each text; thread-safe."""

    def __init__(self, max_entries: int, *, max_bytes: int | None = None,
                 weigh: Callable[[K, V], int] | None = None) -> None:
        if max_entries < 1:
            raise ValueError("an LRU holds at least one entry")
        if (max_bytes is None) != (weigh is None):
            raise ValueError("max_bytes and weigh go together")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._weigh = weigh
        self._weights: dict[K, int] = {}
        self.weight = 0
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        # For a hot path that cannot afford `get`'s Python-level call (the reader's memory
        # hit): the value without marking it used, and the marking, each one C call. `touch`
        # raises KeyError for a key evicted meanwhile. `clear` keeps the same dict, so these
        # stay bound to the live data.
        self.peek: Callable[[K], V | None] = self._data.get
        self.touch: Callable[[K], None] = self._data.move_to_end

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: D) -> V | D: ...

    def get(self, key: K, default: object = None) -> object:
        try:
            value = self._data[key]
        except KeyError:
            return default
        try:  # noqa: SIM105  (contextlib.suppress costs more than the lookup on this hot path)
            self._data.move_to_end(key)
        except KeyError:  # evicted by another thread meanwhile: the value is still good
            pass
        return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if self._weigh is not None:
                self.weight += self._weigh(key, value) - self._weights.get(key, 0)
                self._weights[key] = self._weigh(key, value)
            while len(self._data) > self.max_entries or (
                    self.max_bytes is not None and self.weight > self.max_bytes
                    and len(self._data) > 1):
                old, _ = self._data.popitem(last=False)
                self.weight -= self._weights.pop(old, 0)

    def get_or_put(self, key: K, make: Callable[[], V]) -> V:
        """The cached value, or `make()` stored and returned (`make` runs outside the lock)."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = make()
        self.put(key, value)
        return value

    def pop(self, key: K) -> V | None:
        with self._lock:
            self.weight -= self._weights.pop(key, 0)
            return self._data.pop(key, None)

    def discard_where(self, predicate: Callable[[K], bool]) -> None:
        with self._lock:
            for key in [k for k in self._data if predicate(k)]:
                del self._data[key]
                self.weight -= self._weights.pop(key, 0)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._weights.clear()
            self.weight = 0

    def reset_lock(self) -> None:
        """A fresh lock, in a forked child whose parent may have held this one."""
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> list[K]:
        with self._lock:
            return list(self._data)

    def __iter__(self) -> Iterator[K]:
        return iter(self.keys())


_MISSING = object()
