"""The Redis tier: one MGET of the generation and the entry, as `cache.protocol` fixes it."""

from __future__ import annotations

from promptsync.cache.client import REDIS_ERRORS, connect
from promptsync.cache.protocol import (
    GENERATION_KEY,
    PROMPT_TTL_SECONDS,
    asked_key,
    decode_entry,
    encode_entry,
    is_current,
    prompt_key,
)
from promptsync.lru import LRU
from promptsync.model import PromptType
from promptsync.record import Prompt

_MAX_DECODED = 1024
__all__ = ["REDIS_ERRORS", "RedisTier", "connect"]  # the reader's modules import them here


class RedisTier:
    """Reads resolved prompts and writes back what the database answered."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.client = connect(url, timeout)
        self._decoded: LRU[bytes, Prompt] = LRU(_MAX_DECODED)
        self._keys: LRU[tuple[str, PromptType, str], str] = LRU(_MAX_DECODED)

    def fetch(self, brand: str, type_: PromptType, locale: str = "") -> Prompt | None:
        """The cached prompt, or None on a miss (absent, or stamped older than the generation)."""
        key = self._keys.get((brand, type_, locale))
        if key is None:
            key = self._key(brand, type_, locale)
        # One round trip for both, as the protocol requires; execute_command skips mget's
        # argument juggling, which is measurable next to a loopback round trip.
        gen_raw, entry_raw = self.client.execute_command(  # type: ignore[no-untyped-call]
            "MGET", GENERATION_KEY, key)
        if entry_raw is None or gen_raw is None:
            # Without the generation key (a restarted Redis) no entry can be trusted.
            return None
        prompt = self._decoded.get(entry_raw)
        try:
            if prompt is None:
                prompt = self._decode(entry_raw, type_)
            return prompt if is_current(prompt.generation, int(gen_raw)) else None
        except ValueError:
            return None  # a damaged entry is a miss; the database answers and rewrites it

    def _key(self, brand: str, type_: PromptType, locale: str) -> str:
        key = prompt_key(brand, type_, locale)
        self._keys.put((brand, type_, locale), key)
        return key

    def _decode(self, raw: bytes, type_: PromptType) -> Prompt:
        # Entries change once per commit and are read thousands of times in between: keep
        # the decoded record by its exact bytes (which include the generation stamp).
        prompt = decode_entry(raw, type_)
        self._decoded.put(raw, prompt)
        return prompt

    def store(self, brand: str, prompt: Prompt, locale: str = "") -> None:
        """Cache-aside write under the asked (brand, type, locale); safe against the race
        because the entry carries its generation. A locale's entry is named in the (brand,
        type)'s asked set in the same round trip, the set's TTL renewed, so the daemon deletes
        it after a change without walking every key."""
        key, entry = prompt_key(brand, prompt.type, locale), encode_entry(prompt)
        if not locale:
            self.client.set(key, entry, ex=PROMPT_TTL_SECONDS)
            return
        asked = asked_key(brand, prompt.type)
        pipe = self.client.pipeline(transaction=False)
        pipe.set(key, entry, ex=PROMPT_TTL_SECONDS)
        pipe.sadd(asked, locale)
        pipe.expire(asked, PROMPT_TTL_SECONDS)
        pipe.execute()

    def reconnect(self) -> None:
        """New sockets (after a fork the parent's must not be shared)."""
        self.client = connect(self.url, self.timeout)
        self._decoded.reset_lock()
        self._keys.reset_lock()

    def close(self) -> None:
        self.client.close()
