"""The daemon's invalidation on a real Redis: the keys a change reaches go, the others stay,
whether they are found through the asked sets readers keep, by a pattern (a change to brand
`default`) or by one pass over every key (many of those); and a commit of a brand's prompt costs
what it changes, not what Redis holds."""

from __future__ import annotations

import pytest
import redis

from promptsync.cache.invalidate import MAX_PATTERNS, Invalidator
from promptsync.cache.protocol import prompt_key
from promptsync.model import PromptId, PromptType
from promptsync.reader.redis_tier import RedisTier
from promptsync.record import Prompt, freeze_variables
from tests.support.servers import RedisProcess

G, F = PromptType.GREETING, PromptType.FAREWELL
TAGS = ("", "de", "de-CH", "fr")
KEYS = [prompt_key(b, t, tag) for b in ("acme", "zeta") for t in (G, F) for tag in TAGS]


def _cache(url: str, brands: tuple[str, ...], types: tuple[PromptType, ...]) -> None:
    """Entries as readers write them (the reader's own write path)."""
    tier = RedisTier(url, 1.0)
    try:
        for brand in brands:
            for type_ in types:
                prompt = Prompt(brand, type_, "Hi", 1, "c" * 40, "db", freeze_variables({}), 1)
                for tag in TAGS:
                    tier.store(brand, prompt, tag)
    finally:
        tier.close()


def _left_after(redis_url: str, *more: PromptId) -> set[str]:
    """The prompt keys left after a commit of acme's German greeting, default's French
    farewell and `more`, over the entries of `_cache` for acme and zeta."""
    client = redis.Redis.from_url(redis_url)
    invalidator = Invalidator(redis_url)
    try:
        _cache(redis_url, ("acme", "zeta"), (G, F))
        invalidator.publish("c", 1, [PromptId("acme", G, "de"), PromptId("default", F, "fr"),
                                     *more])
        return {k.decode() for k in client.keys("promptsync:prompt:*")}
    finally:
        invalidator.close()
        client.close()


GONE = {prompt_key("acme", G, "de"), prompt_key("acme", G, "de-CH"),
        prompt_key("acme", F, "fr"), prompt_key("zeta", F, "fr")}


@pytest.mark.parametrize("padding", [0, MAX_PATTERNS])
def test_a_change_deletes_the_keys_it_reaches_and_no_other(redis_url: str, padding: int) -> None:
    # Changes to `default` prompts of the other types push the commit past MAX_PATTERNS
    # into the one-pass path (they reach none of the cached keys).
    others = [PromptId("default", t) for t in PromptType if t not in (G, F)][:padding]
    assert _left_after(redis_url, *others) == set(KEYS) - GONE


def test_a_brands_change_finds_its_keys_without_walking_every_key() -> None:
    # A private server: SCAN is counted server-wide.
    server = RedisProcess().start()
    try:
        _cache(server.url, tuple(f"brand-{n}" for n in range(50)), (G, F))
        client = redis.Redis.from_url(server.url)
        invalidator = Invalidator(server.url)
        try:
            client.config_resetstat()
            invalidator.publish("c", 1, [PromptId("brand-7", G), PromptId("brand-9", F, "de")])
            scans = client.info("commandstats").get("cmdstat_scan", {}).get("calls", 0)
            left = {k.decode() for k in client.keys("promptsync:prompt:brand-[79]:*")}
        finally:
            invalidator.close()
            client.close()
    finally:
        server.close()
    assert scans == 0
    assert left == {prompt_key("brand-7", F, tag) for tag in TAGS} | {
        prompt_key("brand-9", G, tag) for tag in TAGS} | {
        prompt_key("brand-9", F, tag) for tag in ("", "fr")}


def test_a_change_of_more_prompts_than_redis_holds_keys_deletes_the_same_keys(
        redis_url: str) -> None:
    """A first load names every prompt: past as many (brand, type) pairs as Redis holds keys,
    one pass over the prompt keys finds what the asked sets would (66,000 lookups and DELs of
    keys never written cost 2 s at 100,000 prompts)."""
    many = [PromptId(f"brand-{n:03d}", t) for n in range(100) for t in PromptType]
    assert _left_after(redis_url, *many) == set(KEYS) - GONE
