"""The daemon's invalidation on a real Redis: the keys a change reaches go, the others stay,
whether Redis filters by pattern (a small commit) or one pass reads every key (a large one)."""

from __future__ import annotations

import pytest
import redis

from promptsync.cache.invalidate import MAX_PATTERNS, Invalidator
from promptsync.cache.protocol import prompt_key
from promptsync.model import PromptId, PromptType

G, F = PromptType.GREETING, PromptType.FAREWELL
KEYS = [prompt_key(b, t, tag) for b in ("acme", "zeta") for t in (G, F)
        for tag in ("", "de", "de-CH", "fr")]


@pytest.mark.parametrize("padding", [0, MAX_PATTERNS])
def test_a_change_deletes_the_keys_it_reaches_and_no_other(redis_url: str, padding: int) -> None:
    client = redis.Redis.from_url(redis_url)
    invalidator = Invalidator(redis_url)
    try:
        client.mset(dict.fromkeys(KEYS, "x"))
        # Unrelated brands' changes push the commit past MAX_PATTERNS into the one-pass path.
        others = [PromptId(f"other-{n}", G) for n in range(padding)]
        invalidator.publish("c", 1, [PromptId("acme", G, "de"), PromptId("default", F, "fr"),
                                     *others])
        left = {k.decode() for k in client.keys("promptsync:prompt:*")}
    finally:
        invalidator.close()
        client.close()
    gone = {prompt_key("acme", G, "de"), prompt_key("acme", G, "de-CH"),
            prompt_key("acme", F, "fr"), prompt_key("zeta", F, "fr")}
    assert left == set(KEYS) - gone
