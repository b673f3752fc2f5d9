"""The locales callers ask for: their one spelling, and whether the answer speaks them.

A caller's tag is normalised once per spelling (`de_CH`, `DE-ch` -> `de-CH`); a malformed one
reads the base text with one warning per tag, never an exception. An answer in another language
than the one asked (promptsync.core.resolution.is_language_fallback) is a language fallback: logged
once per (brand, type, locale) and counted on every answer, memory hits included, since each
one is a customer reading the wrong language.
"""

from __future__ import annotations

import threading

from prometheus_client.metrics import Counter

from promptsync.core.resolution import is_language_fallback
from promptsync.locale import LocaleError, language, normalize
from promptsync.lru import LRU
from promptsync.reader.memory import Key
from promptsync.reader.notices import LANGUAGE_FALLBACKS, Notices
from promptsync.record import Prompt

_MAX_TAGS = 4096
_MAX_KEYS = 10_000


class AskedLocales:
    """Thread-safe; bounded, since callers choose the strings."""

    def __init__(self, notices: Notices) -> None:
        self._notices = notices
        self._tags: LRU[str, str] = LRU(_MAX_TAGS)
        # Memory keys whose answer is a language fallback, with the counter each one bumps.
        # A plain dict, read without a lock on every memory hit with a locale (empty, as it is
        # while every locale is served in its language, it costs one truth test); bounded by
        # dropping the oldest key, which then goes uncounted until it is read again below memory.
        self.fallbacks: dict[Key, Counter] = {}
        self._lock = threading.Lock()

    def canonical(self, asked: str) -> str:
        """The canonical tag of `asked`; "" when it is malformed (warned once)."""
        if not isinstance(asked, str):
            return self._normalize(asked)
        tag = self._tags.get(asked)
        if tag is None:
            tag = self._normalize(asked)
            self._tags.put(asked, tag)
        return tag

    def _normalize(self, asked: object) -> str:
        try:
            if isinstance(asked, str):
                return normalize(asked)
        except LocaleError:
            pass
        shown = repr(asked)[:80]
        self._notices.warn_once(("locale", shown), "malformed locale %s (expected a tag like "
                                "de, de-CH or pt-BR); answering with the base text", shown)
        return ""

    def judge(self, prompt: Prompt, key: Key, tag: str) -> Prompt:
        """`prompt` as answered to a read of `key` in `tag`; a language fallback is logged
        once and counted."""
        if not is_language_fallback(tag, prompt.language):
            if key in self.fallbacks:
                with self._lock:
                    self.fallbacks.pop(key, None)
            return prompt
        counter = LANGUAGE_FALLBACKS.labels(prompt.type.value, language(tag))
        with self._lock:
            self.fallbacks[key] = counter
            while len(self.fallbacks) > _MAX_KEYS:
                del self.fallbacks[next(iter(self.fallbacks))]
        counter.inc()
        self._notices.warn_once(
            ("language", key[0], prompt.type, tag),
            "language fallback: %s/%s asked in %s is answered in %s (%s/%s%s)", key[0],
            prompt.type.slug, tag, prompt.language or "an undeclared language", prompt.brand,
            prompt.type.slug, f".{prompt.locale}" if prompt.locale else "")
        return prompt

    def counted(self, hit: Prompt, key: Key) -> Prompt:
        """A memory hit for `key`: counted again when it is a language fallback."""
        if self.fallbacks:
            counter = self.fallbacks.get(key)
            if counter is not None:
                counter.inc()
        return hit

    def reset(self) -> None:
        """After a fork: fresh locks."""
        self._tags.reset_lock()
        self._lock = threading.Lock()
