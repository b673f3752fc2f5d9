"""The Redis tier: one MGET of the generation and the entry, as sync.cache.keys fixes it."""

from __future__ import annotations

import json
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from sync.cache.keys import GENERATION_KEY, PROMPT_TTL_SECONDS, prompt_key
from sync.model import PromptType
from sync.reader.record import Prompt, from_entry, to_entry

# What a broken, slow or restarting server raises; anything else is a bug and propagates
# to the reader's last-resort handler.
REDIS_ERRORS: tuple[type[Exception], ...] = (redis.RedisError, OSError)


def connect(url: str, timeout: float, *, max_connections: int | None = None) -> redis.Redis:
    """A client that gives up after `timeout` seconds and never retries by itself.

    The breaker decides when to try again; a retry here would multiply the cost of a dead
    server by the retry count.
    """
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0), max_connections=max_connections,
        health_check_interval=0,
    )


class RedisTier:
    """Reads resolved prompts and writes back what the database answered."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.client = connect(url, timeout)

    def fetch(self, brand: str, type_: PromptType) -> Prompt | None:
        """The cached prompt, or None on a miss (absent, or stamped older than the generation)."""
        gen_raw, entry_raw = self.client.mget(GENERATION_KEY, prompt_key(brand, type_))
        if entry_raw is None or gen_raw is None:
            # Without the generation key (a restarted Redis) no entry can be trusted.
            return None
        try:
            data: dict[str, Any] = json.loads(entry_raw)
            if int(data["generation"]) < int(gen_raw):
                return None
            return from_entry(data, type_)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged entry is a miss; the database answers and rewrites it

    def store(self, brand: str, prompt: Prompt) -> None:
        """Cache-aside write; safe against the race because the entry carries its generation."""
        self.client.set(prompt_key(brand, prompt.type), to_entry(prompt), ex=PROMPT_TTL_SECONDS)

    def generation(self) -> int | None:
        raw = self.client.get(GENERATION_KEY)
        return None if raw is None else int(raw)

    def reconnect(self) -> None:
        """New sockets (after a fork the parent's must not be shared)."""
        self.client = connect(self.url, self.timeout)

    def close(self) -> None:
        self.client.close()
