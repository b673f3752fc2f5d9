"""The background listener on `promptsync:events` that keeps the in-process tier fresh.

An event can be lost: a daemon killed between raising `promptsync:gen` and publishing leaves
subscribers with nothing to hear. So every heartbeat (a ping, every PING_EVERY seconds) also
reads `promptsync:gen`, and a generation the tier has not seen empties it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from promptsync.cache.protocol import EVENTS_CHANNEL, GENERATION_KEY
from promptsync.credentials import redact
from promptsync.reader.memory import HEALTH_WINDOW, MemoryTier
from promptsync.reader.redis_tier import REDIS_ERRORS, connect

logger = logging.getLogger(__name__)

PING_EVERY = HEALTH_WINDOW / 4
# Silence this long means a hung server: drop the connection and subscribe again.
DEAD_AFTER = HEALTH_WINDOW * 2
MAX_BACKOFF = 1.0


class Subscriber:
    """A daemon thread: subscribe, read events and pongs, reconnect with backoff, forever."""

    def __init__(self, url: str, memory: MemoryTier, timeout: float) -> None:
        self.url = url
        self.memory = memory
        self.timeout = max(timeout, 0.2)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="promptsync-events", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)
        self._thread = None

    def _run(self) -> None:
        backoff = 0.05
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.05
            except REDIS_ERRORS as exc:
                logger.debug("events subscription lost: %s", redact(str(exc)))
            except Exception:  # never let the thread die: the tier would stay bypassed
                logger.exception("events subscriber failed; reconnecting")
            self.memory.unsubscribed()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _listen(self) -> None:
        client = connect(self.url, self.timeout)
        pubsub = client.pubsub()  # type: ignore[no-untyped-call,unused-ignore]  # typed from redis 8
        try:
            pubsub.subscribe(EVENTS_CHANNEL)
            last_heard = last_ping = time.monotonic()
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=PING_EVERY)
                now = time.monotonic()
                if message is not None:
                    last_heard = now
                    self._handle(client, message)
                if now - last_heard > DEAD_AFTER:
                    raise TimeoutError("events channel silent; reconnecting")
                if now - last_ping >= PING_EVERY:
                    pubsub.ping()
                    self._check_generation(client)
                    last_ping = now
        finally:
            pubsub.close()
            client.close()

    def _check_generation(self, client: Any) -> None:
        raw = client.get(GENERATION_KEY)
        if raw is not None and raw.isdigit():  # absent after a Redis restart until repaired
            self.memory.observe(int(raw))

    def _handle(self, client: Any, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            # Subscribe first, then read the generation: a commit published before we listened
            # has already raised it, one published after reaches us as an event.
            raw = client.get(GENERATION_KEY)
            self.memory.subscribed(None if raw is None else int(raw))
        elif kind == "message":
            self.memory.apply_event(message["data"])
            self.memory.heartbeat()
        else:  # pong
            self.memory.heartbeat()
