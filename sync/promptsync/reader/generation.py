"""How a reader without Redis keeps its memory tier fresh: the database's generation, polled.

With Redis the events channel vouches for the in-process tier. Without it (the embedded
default) nothing announces a commit, so the tier is trusted for POLL_EVERY seconds after each
look at `sync_state.generation`; the first read after that looks again, on the caller's thread,
and a changed generation empties the tier. A commit is so served within POLL_EVERY, and
between commits reads stay in memory.

On a SQLite file the look costs next to nothing: `PRAGMA data_version` on a kept connection
changes only when another connection commits, and only then is the generation read.
On PostgreSQL it is one indexed SELECT, behind the same hang guard as every read.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

from promptsync.reader.memory import MemoryTier

# The reader promises a commit is served within 100 ms; the look itself takes a little of it.
POLL_EVERY = 0.09
GENERATION_SQL = "SELECT generation FROM sync_state WHERE id = 1"


class DataVersion:
    """A SQLite file's generation, read again only after another connection committed."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._generation = 0
        self._lock = threading.Lock()

    def generation(self) -> int:
        with self._lock:
            try:
                return self._read()
            except Exception:
                self.close()  # the next look opens the file anew
                raise

    def _read(self) -> int:
        if self._conn is None:
            self._conn = self._connect()
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            row = self._conn.execute(GENERATION_SQL).fetchone()
            self._generation, self._version = (int(row[0]) if row else 0), version
        return self._generation

    def forget(self) -> None:
        """In a forked child: the parent's connection is not ours to use or close."""
        self._lock = threading.Lock()
        self._conn, self._version = None, None

    def close(self) -> None:
        conn, self._conn, self._version = self._conn, None, None
        if conn is not None:
            conn.close()


class GenerationPoll:
    """Vouches for the memory tier for POLL_EVERY seconds after each look at the generation."""

    def __init__(self, memory: MemoryTier, read: Callable[[], int | None]) -> None:
        self._memory = memory
        self._read = read  # the database's generation, or None when it is unavailable
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Whether the tier may answer now, looking at the generation when the last look is
        POLL_EVERY old. A changed generation has emptied the tier: look the entry up again."""
        # One caller looks; the others meanwhile read through the database as usual.
        if not self._lock.acquire(blocking=False):
            return False
        try:
            started = time.monotonic()
            if started < self._memory.healthy_until:
                return True  # another caller has just looked
            generation = self._read()
            if generation is None:
                return False  # unavailable: the tiers below decide what answers
            self._memory.polled(generation, started + POLL_EVERY)
            return True
        finally:
            self._lock.release()

    def reset(self) -> None:
        self._lock = threading.Lock()
