"""Warnings once per cause, and the reader's metrics.

A chat service calls the reader thousands of times a second; a dead Redis must give one log
line, not thousands. Each cause (a hashable key such as ``("redis", "ConnectionError")``) is
logged the first time it occurs and counted every time. The metrics live in the default
prometheus-client registry; the library never starts an exporter, the host decides.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable

from prometheus_client import Counter

from promptsync.lru import LRU

logger = logging.getLogger("promptsync.reader")

FALLBACKS = Counter(
    "promptsync_reader_fallback",
    "Answers served from the built-in default prompts, by prompt type and cause.",
    ["type", "cause"],
)
BACKEND_ERRORS = Counter(
    "promptsync_reader_backend_errors",
    "Failed or timed-out calls to Redis or the database.",
    ["backend"],
)
STALE_ANSWERS = Counter(
    "promptsync_reader_stale",
    "Answers served from the last good in-process copy while Redis and the database were down.",
)
LANGUAGE_FALLBACKS = Counter(
    "promptsync_reader_language_fallback",
    "Answers in another language than the locale asked for (a customer read the wrong "
    "language), by prompt type and the language asked.",
    ["type", "language"],
)
RENDER_FAILURES = Counter(
    "promptsync_reader_render_failures",
    "Renders that failed (missing required variable, template error) and used the fallback.",
    ["type"],
)

_MAX_CAUSES = 10_000


class Notices:
    """Remembers which causes were logged already; thread-safe."""

    def __init__(self) -> None:
        # Callers may pass arbitrary brand strings: bounded; an evicted cause may warn again.
        self._seen: LRU[Hashable, bool] = LRU(_MAX_CAUSES)
        self._lock = threading.Lock()

    def warn_once(self, cause: Hashable, message: str, *args: object) -> None:
        if cause in self._seen:
            return
        with self._lock:
            if cause in self._seen:
                return
            self._seen.put(cause, True)
        logger.warning(message, *args)

    def reset(self) -> None:
        self._lock = threading.Lock()
        self._seen.reset_lock()
