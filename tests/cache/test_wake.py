"""Wake-ups over Redis from the API processes to the sync daemon (`promptsync:wake`)."""

from __future__ import annotations

import logging
import threading

import pytest

from promptsync.cache.wake import WakeListener, WakePublisher

WAIT = 30.0


def test_a_wake_up_of_the_followed_branch_reaches_the_listener(redis_url: str) -> None:
    woken = threading.Event()
    listener = WakeListener(redis_url, "main", woken.set).start()
    publisher, other = WakePublisher(redis_url, "main"), WakePublisher(redis_url, "release")
    try:
        # Subscribed, it looks once at once: what was sent before it listened is not lost.
        assert woken.wait(WAIT)
        woken.clear()
        other.wake()  # another branch: no cycle for this daemon
        publisher.wake()
        assert woken.wait(WAIT)
    finally:
        listener.stop()
        publisher.close()
        other.close()


def test_a_wake_up_without_redis_is_a_warning_once_never_an_error(
        caplog: pytest.LogCaptureFixture) -> None:
    publisher = WakePublisher("redis://127.0.0.1:9/0", "main")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="promptsync.cache.wake"):
        publisher.wake()
        publisher.wake()
    publisher.close()
    assert len([r for r in caplog.records if "next poll" in r.getMessage()]) == 1
