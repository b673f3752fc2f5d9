"""Redis and the database behind their circuit breakers: answers, or None when unavailable."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import TimeoutError as PoolTimeout

from promptsync.credentials import redact
from promptsync.errors import UsageError
from promptsync.model import PromptType
from promptsync.reader.breaker import CircuitBreaker
from promptsync.reader.db_tier import Answer, DatabaseTier
from promptsync.reader.notices import BACKEND_ERRORS, Notices
from promptsync.reader.redis_tier import RedisTier
from promptsync.reader.settings import ReaderSettings
from promptsync.record import Prompt

logger = logging.getLogger("promptsync.reader")
T = TypeVar("T")


class Backends:
    """Every call either answers or returns None; a failure opens that backend's breaker."""

    def __init__(self, settings: ReaderSettings, notices: Notices) -> None:
        self._notices = notices
        self.closed = False
        self._redis_shown = redact(settings.redis_url or "")
        self._db_shown = redact(settings.db_url)
        self.redis: RedisTier | None = None
        try:
            if settings.redis_url:
                self.redis = RedisTier(settings.redis_url, settings.redis_timeout)
            else:
                logger.info("no Redis URL: the reader reads from the database only")
        except Exception as exc:  # connecting is lazy: only a malformed URL fails here
            raise UsageError(f"bad Redis URL {self._redis_shown}: {type(exc).__name__}") from None
        try:
            self.db = DatabaseTier(settings.db_url, settings.db_timeout)
        except Exception as exc:  # the message may quote the URL, password and all
            raise UsageError(f"bad database URL {self._db_shown}: {type(exc).__name__}") from None
        self.redis_breaker = CircuitBreaker("Redis", settings.cooldown)
        self.db_breaker = CircuitBreaker("database", settings.cooldown)

    def from_redis(self, brand: str, t: PromptType, locale: str = "") -> Prompt | None:
        """A valid cached entry, or None (miss, stale stamp, no Redis, Redis unavailable)."""
        if self.redis is None or self.closed or not self.redis_breaker.allow():
            return None
        try:
            found = self.redis.fetch(brand, t, locale)
        except Exception as exc:
            self._failed(self.redis_breaker, self._redis_shown, exc)
            return None
        self._succeeded(self.redis_breaker, self._redis_shown)
        return found

    def from_db(self, brand: str, t: PromptType, locale: str = "") -> Answer | None:
        """What the database holds for (brand, type, locale), or None when it is unavailable."""
        return self._ask_db(self.db.fetch, brand, t, locale)

    def db_generation(self) -> int | None:
        """The database's generation, or None when it is unavailable."""
        return self._ask_db(self.db.generation)

    def _ask_db(self, call: Callable[..., T], *args: Any) -> T | None:
        if self.closed or not self.db_breaker.allow():
            return None
        try:
            answer = call(*args)
        except PoolTimeout as exc:
            # Every pooled connection is busy: the server is fine, this one call is not.
            BACKEND_ERRORS.labels("database").inc()
            self._notices.warn_once(("pool", type(exc).__name__),
                                    "database connection pool exhausted: %s",
                                    redact(str(exc)))
            self.db_breaker.release()
            return None
        except Exception as exc:
            self._failed(self.db_breaker, self._db_shown, exc)
            return None
        self._succeeded(self.db_breaker, self._db_shown)
        return answer

    def write_back(self, brand: str, answer: Answer, locale: str = "") -> None:
        """Cache what the database answered; only while Redis is known to be healthy.

        A brand with no row at all is anybody's made-up name: its answer (brand default's) is
        cached under the brand that answered, so made-up names never fill Redis.
        """
        prompt = answer.prompt
        if (self.redis is None or prompt is None or self.closed
                or not self.redis_breaker.is_closed):
            return
        try:
            self.redis.store(brand if answer.brand_known else prompt.brand, prompt, locale)
        except Exception as exc:
            self._failed(self.redis_breaker, self._redis_shown, exc)

    def _failed(self, breaker: CircuitBreaker, shown: str, exc: Exception) -> None:
        BACKEND_ERRORS.labels(breaker.name.lower()).inc()
        if breaker.failed():
            # A driver's message may quote the URL or its parameters: masked like the URL.
            logger.warning("%s at %s unavailable (%s: %s); skipping it, retrying in %.1f s",
                           breaker.name, shown, type(exc).__name__, redact(str(exc)),
                           breaker.cooldown)

    def _succeeded(self, breaker: CircuitBreaker, shown: str) -> None:
        if not breaker.is_closed:
            breaker.succeeded()
            logger.info("%s at %s is reachable again", breaker.name, shown)

    def reconnect(self) -> None:
        if self.redis is not None:
            self.redis.reconnect()
        self.db.reconnect()

    def reset_locks(self) -> None:
        self.redis_breaker.reset()
        self.db_breaker.reset()

    def close(self) -> None:
        self.closed = True
        if self.redis is not None:
            self.redis.close()
        self.db.close()
