"""The daemon's side of the Redis protocol (`promptsync.cache.protocol`): raise, invalidate,
publish, record.

After the database transaction for generation N commits, `Invalidator.publish` raises
`promptsync:gen` to N (never lowers it; the raise stamps `promptsync:last-publish` with the
server's time, from which the fleet's convergence is measured), deletes the keys whose answer
the changed ids may change (`stale_under`), publishes the event, then raises
`promptsync:published` to N. Every step is idempotent, so a publish that failed or was killed
half-way is simply run again; `published` behind `gen` says it has to be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import redis

from promptsync.cache.client import REDIS_ERRORS
from promptsync.cache.protocol import (
    EVENTS_CHANNEL,
    GENERATION_KEY,
    LAST_PUBLISH_KEY,
    PUBLISHED_KEY,
    RAISE_GENERATION,
    RESET_GENERATION,
    STAMP_PUBLISH,
    all_prompts_pattern,
    asked_key,
    encode_event,
    parse_prompt_key,
    prompt_key,
    reach_pattern,
)
from promptsync.credentials import redact
from promptsync.errors import UsageError
from promptsync.locale import chain
from promptsync.model import DEFAULT_BRAND, PromptId, id_order

log = logging.getLogger(__name__)
__all__ = ["REDIS_ERRORS", "Invalidator", "stale_under"]  # the daemon classifies these errors
SOCKET_TIMEOUT = 1.0
DELETE_BATCH = 500
SCAN_COUNT = 5000  # keys Redis looks at per SCAN call: few round trips, each short
MAX_PATTERNS = 4  # SCAN passes by pattern before one pass over every prompt key is cheaper
LOOKUP_BATCH = 1000  # asked sets read per round trip


class Invalidator:
    """Publishes applied generations to one Redis; raises REDIS_ERRORS when it cannot."""

    def __init__(self, url: str) -> None:
        try:
            self._client = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT,
                                                socket_connect_timeout=SOCKET_TIMEOUT)
        except ValueError as exc:
            raise UsageError(f"{redact(url)} is not a Redis URL ({exc}; "
                             "e.g. redis://localhost:6379/0)") from None
        self._raise_gen = self._client.register_script(RAISE_GENERATION)
        self._reset_gen = self._client.register_script(RESET_GENERATION)
        self._stamp = self._client.register_script(STAMP_PUBLISH)

    def close(self) -> None:
        self._client.close()

    def generations(self) -> tuple[int | None, int | None]:
        """(`promptsync:gen`, `promptsync:published`) in one round trip; None for a key that is
        absent (Redis restarted empty, or a daemon from before `published` existed)."""
        gen, published = self._client.mget(GENERATION_KEY, PUBLISHED_KEY)
        return _int(gen), _int(published)

    def publish(self, commit: str, generation: int, changed: Iterable[PromptId],
                on_step: Callable[[str], None] = lambda _s: None) -> None:
        """Raise the generation, delete the changed keys, publish the event, record it as
        published (each step idempotent)."""
        ids = sorted(set(changed), key=id_order)
        self._stamp(keys=[GENERATION_KEY, LAST_PUBLISH_KEY], args=[generation, commit, ""])
        on_step("raised")
        self._delete(self._keys_of(ids))
        self._client.publish(EVENTS_CHANNEL, encode_event(commit, generation, ids))
        self._raise_gen(keys=[PUBLISHED_KEY], args=[generation])

    def rebuild(self, commit: str, generation: int, ahead: int,
                known: Iterable[PromptId]) -> bool:
        """Redis is at `ahead`, above the database's `generation`: drop every prompt entry, set
        both keys to `generation` and announce a reset naming `known`. False when `gen` moved
        meanwhile (nothing is reset; the caller looks again next cycle)."""
        self._delete(self._scan(all_prompts_pattern()))
        done = self._reset_gen(keys=[GENERATION_KEY, PUBLISHED_KEY], args=[ahead, generation])
        if done:
            self._stamp(keys=[GENERATION_KEY, LAST_PUBLISH_KEY], args=[generation, commit,
                                                                      "force"])
            self._client.publish(EVENTS_CHANNEL, encode_event(commit, generation, known, True))
        return bool(done)

    def _keys_of(self, ids: list[PromptId]) -> list[str]:
        keys = {prompt_key(i.brand, i.type) for i in ids if not i.locale}
        stale = stale_under(ids)
        # A brand's keys asked in a locale are named by its asked set: one pipelined SMEMBERS
        # per (brand, type) the commit changed, however many keys Redis holds.
        pairs = sorted({(i.brand, i.type) for i in ids if i.brand != DEFAULT_BRAND},
                       key=lambda p: (p[0], p[1].slug))
        for start in range(0, len(pairs), LOOKUP_BATCH):
            batch = pairs[start:start + LOOKUP_BATCH]
            pipe = self._client.pipeline(transaction=False)
            for brand, type_ in batch:
                pipe.smembers(asked_key(brand, type_))
            for (brand, type_), tags in zip(batch, pipe.execute(), strict=True):
                named = (prompt_key(brand, type_, _text(t)) for t in tags)
                keys.update(k for k in named if stale(k))
        # A `default` prompt answers for every brand without its own: Redis filters by pattern,
        # one pass each, for a commit of a few; more make one pass over every prompt key.
        patterns = sorted({reach_pattern(i) for i in ids if i.brand == DEFAULT_BRAND})
        if len(patterns) > MAX_PATTERNS:
            patterns = [all_prompts_pattern()]
        for pattern in patterns:
            keys.update(k for k in self._scan(pattern) if stale(k))
        return sorted(keys)

    def _scan(self, pattern: str) -> list[str]:
        return [_text(k) for k in self._client.scan_iter(match=pattern, count=SCAN_COUNT)]

    def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            self._client.delete(*keys[start:start + DELETE_BATCH])


def stale_under(ids: Iterable[PromptId]) -> Callable[[str], bool]:
    """Whether the answer cached at a key may change when `ids` change: the key asks the same
    type, of the same brand (any brand for `default`, which answers for every brand without its
    own text), and a changed translation is on the key's locale chain (a base text is on every
    chain: it answers when no translation does)."""
    changed: dict[tuple[str, str], set[str]] = {}
    for i in ids:
        changed.setdefault((i.brand, i.type.slug), set()).add(i.locale)

    def stale(key: str) -> bool:
        parsed = parse_prompt_key(key)
        if parsed is None:
            return False
        brand, slug, locale = parsed
        reach = {"", *chain(locale)}
        return any(bool(changed.get((b, slug), set()) & reach) for b in (brand, DEFAULT_BRAND))

    return stale


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _int(raw: bytes | str | None) -> int | None:
    """A generation as stored; anything unreadable counts as absent (and is repaired)."""
    try:
        return None if raw is None else int(raw)
    except ValueError:
        return None
