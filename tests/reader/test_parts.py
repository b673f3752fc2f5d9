"""The in-process tier's rules and the circuit breaker, on their own."""

from __future__ import annotations

import json
import threading
import time

from promptsync.model import PromptType
from promptsync.reader.breaker import CircuitBreaker
from promptsync.reader.memory import MemoryTier
from promptsync.record import Prompt, freeze_variables

GREETING = PromptType.GREETING


def prompt(brand: str, version: int, source: str = "redis") -> Prompt:
    return Prompt(brand, GREETING, f"v{version}", version, "c", source,  # type: ignore[arg-type]
                  freeze_variables({}), version)


def event(generation: int, *ids: str) -> str:
    return json.dumps({"commit": "c", "generation": generation, "changed": list(ids)})


def test_memory_refuses_a_copy_older_than_an_announced_commit() -> None:
    memory = MemoryTier()
    memory.subscribed(1)
    memory.store(("acme", GREETING), prompt("acme", 1), 1)
    assert memory.entries.get(("acme", GREETING)).source == "memory"  # type: ignore[union-attr]
    # A read that raced commit 2 comes back after its event: it must not linger.
    memory.apply_event(event(2, "acme/greeting"))
    assert ("acme", GREETING) not in memory.entries
    memory.store(("acme", GREETING), prompt("acme", 1), 1)
    assert ("acme", GREETING) not in memory.entries
    memory.store(("acme", GREETING), prompt("acme", 2), 2)
    assert memory.entries.get(("acme", GREETING)).version == 2  # type: ignore[union-attr]


def test_memory_default_change_drops_every_brand_of_that_type() -> None:
    memory = MemoryTier()
    memory.subscribed(None)
    for brand in ("acme", "zeta", "default"):
        memory.store((brand, GREETING), prompt("default", 1), 1)
    memory.store(("acme", PromptType.FAREWELL), prompt("acme", 1)._replace(
        type=PromptType.FAREWELL), 1)
    memory.apply_event(event(2, "default/greeting"))
    assert memory.entries.keys() == [("acme", PromptType.FAREWELL)]
    memory.apply_event(b"not json")
    assert len(memory.entries) == 0


def test_memory_drops_the_locales_a_change_reaches_and_no_other() -> None:
    memory = MemoryTier()
    memory.subscribed(None)
    keys = [(b, t, *tag) for b in ("acme", "zeta") for t in (GREETING, PromptType.FAREWELL)
            for tag in ((), ("de",), ("de_CH",), ("fr",))]
    for key in keys:
        memory.store(key, prompt("acme", 1)._replace(type=key[1]), 1)  # type: ignore[arg-type]
    memory.apply_event(event(2, "acme/greeting.de", "default/farewell.fr"))
    gone = {("acme", GREETING, "de"), ("acme", GREETING, "de_CH"),
            ("acme", PromptType.FAREWELL, "fr"), ("zeta", PromptType.FAREWELL, "fr")}
    assert set(memory.entries.keys()) == set(keys) - gone
    memory.apply_event(event(3, "zeta/greeting"))  # a base text answers every locale
    assert not [k for k in memory.entries if k[:2] == ("zeta", GREETING)]


def test_memory_takes_a_large_event_in_one_pass() -> None:
    """A first load names every prompt: each id must not cost a walk over every entry."""
    memory = MemoryTier(max_entries=20_000)
    memory.subscribed(None)
    for n in range(10_000):
        memory.store((f"b{n}", GREETING, "de"), prompt(f"b{n}", 1), 1)
    memory.store(("keep", GREETING), prompt("keep", 1), 1)
    predicates = 0
    discard = memory.entries.discard_where

    def counting(predicate):  # type: ignore[no-untyped-def]
        nonlocal predicates
        predicates += 1
        discard(predicate)

    memory.entries.discard_where = counting  # type: ignore[method-assign]
    memory.apply_event(event(2, *[f"b{n}/greeting" for n in range(10_000)]))
    assert predicates == 1 and memory.entries.keys() == [("keep", GREETING)]


def test_memory_is_untrusted_unless_subscribed() -> None:
    memory = MemoryTier()
    memory.store(("acme", GREETING), prompt("acme", 1), 1)
    assert len(memory.entries) == 0 and memory.healthy_until == 0.0
    memory.subscribed(0)
    assert memory.healthy_until > time.monotonic()
    memory.store(("acme", GREETING), prompt("acme", 1), 1)
    memory.unsubscribed()
    assert len(memory.entries) == 0 and memory.healthy_until == 0.0


def test_memory_without_redis_follows_the_polled_generation() -> None:
    memory = MemoryTier()
    key = ("acme", GREETING)
    memory.store(key, prompt("acme", 1), 1)
    assert len(memory.entries) == 0  # nothing vouches for the tier before the first poll
    memory.polled(1, time.monotonic() + 0.1)
    memory.store(key, prompt("acme", 1), 1)
    memory.polled(1, time.monotonic() + 0.1)
    assert memory.entries.get(key) is not None  # no commit: the entry stays
    memory.polled(2, time.monotonic() + 0.1)
    assert memory.entries.get(key) is None  # a commit: nothing says what it changed
    memory.store(key, prompt("acme", 1), 1)  # a read that raced the commit
    assert memory.entries.get(key) is None
    memory.store(key, prompt("acme", 2), 2)
    memory.polled(1, time.monotonic() + 0.1)  # a restored database: back to generation 1
    assert memory.entries.get(key) is None
    memory.store(key, prompt("acme", 1), 1)
    assert memory.entries.get(key) is not None


def test_memory_full_of_made_up_brands_keeps_the_hot_entry() -> None:
    # A full tier used to be cleared: every made-up brand past the bound evicted the hot ones.
    memory = MemoryTier(max_entries=100)
    memory.subscribed(1)
    memory.store(("acme", GREETING), prompt("acme", 1), 1)
    for n in range(1000):
        memory.store((f"made-up-{n}", GREETING), prompt("default", 1), 1)
        assert memory.entries.get(("acme", GREETING)) is not None  # the chat keeps reading it
    assert len(memory.entries) == 100


def test_breaker_opens_then_lets_one_probe_through() -> None:
    breaker = CircuitBreaker("Redis", cooldown=0.05)
    assert breaker.allow()
    assert breaker.failed() is True
    assert not breaker.allow()
    assert breaker.failed() is False  # already open: no second "opened" report
    time.sleep(0.06)
    allowed = []
    threads = [threading.Thread(target=lambda: allowed.append(breaker.allow()))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 1  # one half-open probe, everyone else skips
    breaker.succeeded()
    assert breaker.is_closed and breaker.allow()


def test_breaker_released_probe_lets_the_next_caller_probe() -> None:
    breaker = CircuitBreaker("database", cooldown=0.01)
    breaker.failed()
    time.sleep(0.02)
    assert breaker.allow() and not breaker.allow()
    breaker.release()
    assert breaker.allow()
