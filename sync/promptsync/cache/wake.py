"""Waking the one `sync` daemon from the API processes, over Redis (`WAKE_CHANNEL`).

In the production topology the API processes run `--no-sync`: the daemon is elsewhere, and
without a word from them it would learn of an edit they pushed, or of a webhook they took, only
at its next poll. So they publish the branch's name, and the daemon, subscribed, starts a cycle
(its fetch) at once. A lost message costs only that wait: the poll still comes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from promptsync.cache.client import REDIS_ERRORS, connect
from promptsync.cache.protocol import WAKE_CHANNEL
from promptsync.credentials import redact

log = logging.getLogger(__name__)
SOCKET_TIMEOUT = 1.0
LISTEN_STEP = 1.0  # s: how often the listener looks at its stop event
MAX_BACKOFF = 5.0


class WakePublisher:
    """`wake()`: ask the daemon following `ref` for a cycle now; never raises."""

    def __init__(self, url: str, ref: str) -> None:
        self.ref = ref
        self._client = connect(url, SOCKET_TIMEOUT)
        self._failing = False

    def wake(self) -> None:
        try:
            self._client.publish(WAKE_CHANNEL, self.ref)
            self._failing = False
        except REDIS_ERRORS as exc:
            if not self._failing:  # once per outage: the daemon's poll still comes
                log.warning("could not wake the sync daemon through Redis (%s); it will see "
                            "the change at its next poll", redact(str(exc)))
            self._failing = True

    def close(self) -> None:
        self._client.close()


class WakeListener:
    """A thread that calls `on_wake()` for each wake-up of `ref`; reconnects with backoff."""

    def __init__(self, url: str, ref: str, on_wake: Callable[[], None]) -> None:
        self.url, self.ref, self.on_wake = url, ref, on_wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="promptsync-wake", daemon=True)

    def start(self) -> WakeListener:
        self._thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(wait)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.1
            except REDIS_ERRORS as exc:
                log.debug("wake-up subscription lost: %s", redact(str(exc)))
            self._stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _listen(self) -> None:
        client = connect(self.url, LISTEN_STEP + SOCKET_TIMEOUT)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(WAKE_CHANNEL)
            self.on_wake()  # wake-ups sent while unsubscribed are lost: look now
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=LISTEN_STEP)
                if message is not None and _text(message.get("data")) == self.ref:
                    self.on_wake()
        finally:
            pubsub.close()
            client.close()


def _text(data: object) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
