"""PromptReader: memory -> Redis -> database -> built-in default, and never an exception."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any

from promptsync import defaults
from promptsync.core.variants import subject_hash
from promptsync.credentials import redact
from promptsync.lru import LRU
from promptsync.model import BRAND_RE, DEFAULT_BRAND, PromptType
from promptsync.reader.asked import AskedLocales
from promptsync.reader.assigned import assigned
from promptsync.reader.backends import Backends
from promptsync.reader.generation import GenerationPoll
from promptsync.reader.heartbeat import GOODBYE_WAIT, Heartbeat
from promptsync.reader.memory import Key, MemoryTier
from promptsync.reader.notices import FALLBACKS, STALE_ANSWERS, Notices
from promptsync.reader.render import PromptRenderer
from promptsync.reader.settings import DEFAULT_COOLDOWN, resolve
from promptsync.reader.subscriber import Subscriber
from promptsync.record import Prompt
from promptsync.sandbox import DEFAULT_RENDER_SECONDS

_TYPES: dict[str, PromptType] = {
    **{t.value: t for t in PromptType}, **{t.slug: t for t in PromptType}}
_MAX_LAST_GOOD = 10_000
_monotonic = time.monotonic


class PromptTypeError(ValueError, TypeError):
    """A prompt type that is not a PromptType nor the name of one.

    A ValueError, as the reader promises for every bad type; also a TypeError, which a
    non-string raised before, so callers that caught that keep working.
    """


def _parse_type(type_: object) -> PromptType:
    """The caller's one mistake that raises: a type that is not a PromptType or its name."""
    if isinstance(type_, str):
        return PromptType.parse(type_)  # ValueError naming the six choices
    choices = ", ".join(t.value for t in PromptType)
    raise PromptTypeError(f"prompt type must be a PromptType or its name (one of {choices}), "
                          f"not {type(type_).__name__} {type_!r:.80}")


def _type_of(type_: object) -> PromptType:
    try:
        return _TYPES[type_]  # type: ignore[index]
    except (KeyError, TypeError):  # TypeError: an unhashable value such as a list
        return _parse_type(type_)


class PromptReader:
    """Reads prompts for the chat runtime; thread-safe, fork-safe, asyncio-friendly.

    `get` and `render` never raise because a prompt is missing, Redis or the database is down
    or slow, or a template fails to render: they warn once per cause and answer from the next
    tier, ending with the built-in default. An unknown type raises ValueError (for a
    non-string, PromptTypeError: a ValueError that is also a TypeError).
    Settings: explicit argument, then PROMPTSYNC_DB_URL / PROMPTSYNC_REDIS_URL /
    PROMPTSYNC_REDIS_TIMEOUT / PROMPTSYNC_DB_TIMEOUT, then defaults (sqlite:///promptsync.db,
    no Redis, 0.05 s, 0.5 s). The in-process tier follows the events channel, or without Redis
    the database's generation (looked at every 100 ms at most). `memory=False` turns it off.
    With Redis, the reader reports itself to `promptsync fleet` from a background thread, as
    `service` (PROMPTSYNC_SERVICE, else the program's name); `report=False` or
    PROMPTSYNC_FLEET=off turns that off.
    """

    def __init__(self, db_url: str | None = None, redis_url: str | None = None, *,
                 redis_timeout: float | None = None, db_timeout: float | None = None,
                 breaker_cooldown: float = DEFAULT_COOLDOWN, memory: bool = True,
                 render_seconds: float = DEFAULT_RENDER_SECONDS, service: str | None = None,
                 report: bool | None = None) -> None:
        self.settings = resolve(db_url, redis_url, redis_timeout=redis_timeout,
                                db_timeout=db_timeout, cooldown=breaker_cooldown,
                                memory=memory, render_seconds=render_seconds, service=service,
                                report=report)
        self._notices = Notices()
        self._locales = AskedLocales(self._notices)
        self._fallbacks = self._locales.fallbacks  # read on every memory hit with a locale
        self._memory = MemoryTier()
        self._entries = self._memory.entries  # the hot path reads this LRU directly
        self._peek, self._touch = self._entries.peek, self._entries.touch
        # What answers while Redis and the database are both unreachable; bounded like memory.
        self._last_good: LRU[Key, Prompt] = LRU(_MAX_LAST_GOOD)
        self._renderer = PromptRenderer(self._notices, seconds=self.settings.render_seconds)
        self._backends = Backends(self.settings, self._notices)
        self._subscriber: Subscriber | None = None
        self._poll: GenerationPoll | None = None
        self._revalidate = _untrusted  # may memory answer once its vouching has run out?
        if self.settings.redis_url and self.settings.memory:
            self._subscriber = Subscriber(self.settings.redis_url, self._memory,
                                          self.settings.redis_timeout)
            self._subscriber.start()
        elif self.settings.memory:
            self._poll = GenerationPoll(self._memory, self._backends.db_generation)
            self._revalidate = self._poll.refresh
        self._forked = False
        self._fork_lock = threading.Lock()
        if hasattr(os, "register_at_fork"):  # POSIX; elsewhere there is no fork to survive
            os.register_at_fork(after_in_child=_child_hook(self))
        # A reader dropped without close() must not leave its thread running for ever.
        if self._subscriber is not None:
            weakref.finalize(self, self._subscriber.stop, 0)
        self._heartbeat: Heartbeat | None = None
        if self.settings.redis_url and self.settings.report:
            self._heartbeat = Heartbeat(
                self.settings.redis_url, self.settings.service, self.settings.heartbeat,
                self._memory if self._subscriber is not None else None,
                _tiers(self._memory, self._backends, self.settings.memory), self._notices)
            self._heartbeat.start()
            # Also at exit: a process that ends normally says goodbye to the fleet.
            weakref.finalize(self, self._heartbeat.stop, GOODBYE_WAIT)

    # -- reading ---------------------------------------------------------------------------

    def get(self, brand: str, type_: PromptType | str, locale: str | None = None,
            subject: object = None) -> Prompt:
        """The prompt for (brand, type): the brand's, else brand default's, else built-in.

        With `locale` (any spelling: `de_CH`, `DE-ch`), the order of promptsync.core.resolution:
        the brand's de-CH, de, default's de-CH, de, then the base texts; the answer's `brand`
        and `locale` say which text answered. A malformed tag reads the base text (one warning
        per tag); an answer in another language than the one asked is a language fallback
        (one warning per brand, type and locale; counted every time).

        With `subject` (a user or conversation id), a prompt that runs variants answers with
        the variant the subject is assigned (promptsync.core.variants: the same one in every
        process and language); `variant` says which, `control` for the file's own template,
        which is also what every read without a subject gets.
        """
        try:  # inline, not _type_of: this is the hot path, and a try costs nothing
            t = _TYPES[type_]
        except (KeyError, TypeError):
            t = _parse_type(type_)
        # A memory hit of a vouched-for tier answers inline (what _memory_hit does, without
        # its call and LRU.get's); anything else (a miss, an unhashable brand, a fallback to
        # count, memory past its health window) asks _memory_hit, which knows all of that.
        key = (brand, t, locale) if locale else (brand, t)
        try:
            hit = self._peek(key)
        except TypeError:
            hit = None
        if (hit is not None and hit.source != "fallback"
                and _monotonic() < self._memory.healthy_until):
            try:  # noqa: SIM105  (contextlib.suppress costs more than the hit)
                self._touch(key)
            except KeyError:  # evicted by another thread meanwhile: the copy is still good
                pass
        else:
            hit = self._memory_hit(key)
        if subject is not None:
            prompt = self._get_typed(brand, t, locale) if locale or hit is None else hit
            memo = prompt.variants.memo
            if memo is not None and memo[0] is prompt and memo[1] == brand:
                # A memory hit of a prompt assigned before: reader.assigned, inline.
                try:
                    chosen, tick = memo[4][bisect_right(memo[3], subject_hash(subject, memo[2],
                                                                              False))]
                except TypeError:  # a subject that is not text: its str() is hashed
                    return assigned(prompt, brand, t, subject)
                tick()
                return chosen  # type: ignore[no-any-return]
            return assigned(prompt, brand, t, subject) if prompt.variants.arms else prompt
        if hit is None:
            return self._get_in_slow(brand, t, locale) if locale else self._get_slow(brand, t)
        if locale and self._fallbacks:  # inline AskedLocales.counted: this is the hot path too
            counter = self._fallbacks.get(key)
            if counter is not None:
                counter.inc()
        return hit

    async def aget(self, brand: str, type_: PromptType | str, locale: str | None = None,
                   subject: object = None) -> Prompt:
        """`get` for asyncio code: a memory hit answers inline, anything else in a thread."""
        t = _type_of(type_)
        prompt = self._inline_hit(brand, t, locale)
        if prompt is None:
            prompt = await asyncio.to_thread(self._get_typed, brand, t, locale)
        if subject is None or not prompt.variants.arms:
            return prompt
        return assigned(prompt, brand, t, subject)

    def _inline_hit(self, brand: str, t: PromptType, locale: str | None) -> Prompt | None:
        # Inline only while memory is vouched for: without Redis, renewing that is a look at
        # the database, which is I/O like any other read.
        if time.monotonic() < self._memory.healthy_until:
            hit = self._memory_hit((brand, t, locale) if locale else (brand, t))
            if hit is not None:
                return self._locales.counted(hit, (brand, t, locale)) if locale else hit
        return None

    def _get_typed(self, brand: str, t: PromptType, locale: str | None = None) -> Prompt:
        if locale:
            return self._get_in(brand, t, locale)
        hit = self._memory_hit((brand, t))
        return self._get_slow(brand, t) if hit is None else hit

    def _get_in(self, brand: str, t: PromptType, locale: str) -> Prompt:
        """`get` with a locale: memory is keyed by the tag as the caller spelled it, so a hit
        costs one more look-up than a read without one (see `get`)."""
        key = (brand, t, locale)
        hit = self._memory_hit(key)
        return self._get_in_slow(brand, t, locale) if hit is None else \
            self._locales.counted(hit, key)

    def _get_in_slow(self, brand: str, t: PromptType, locale: str) -> Prompt:
        """Below memory, with a locale: normalise it (a malformed one reads the base text),
        resolve, and judge whether the answer is in the language asked."""
        key = (brand, t, locale)
        tag = self._locales.canonical(locale)
        if not tag:  # malformed: the base text, as if no locale had been asked
            hit = self._memory_hit((brand, t))
            return self._get_slow(brand, t) if hit is None else hit
        prompt = self._get_slow(brand, t, tag, locale)
        return self._locales.judge(prompt, key, tag)

    def _memory_hit(self, key: Key) -> Prompt | None:
        try:
            hit = self._entries.get(key)
        except TypeError:  # an unhashable brand: the slow path answers with brand default
            return None
        if hit is None:
            return None
        if time.monotonic() >= self._memory.healthy_until:
            # Without Redis: look at the database's generation (every 100 ms at most), then
            # look the entry up again, since a new generation has emptied the tier.
            if not self._revalidate():
                return None
            hit = self._entries.get(key)
            if hit is None:
                return None
        if hit.source == "fallback":
            FALLBACKS.labels(hit.type.value, "missing").inc()
        return hit

    def render(self, brand: str, type_: PromptType | str,
               context: Mapping[str, Any] | None = None, locale: str | None = None,
               subject: object = None) -> str:
        """The prompt's text for a context; declared defaults fill missing optional values.
        `locale` and `subject` as for `get`."""
        return self.render_prompt(self.get(brand, type_, locale, subject), context)

    async def arender(self, brand: str, type_: PromptType | str,
                      context: Mapping[str, Any] | None = None,
                      locale: str | None = None, subject: object = None) -> str:
        """`render` for asyncio code: the render runs in a thread, as I/O does, since a template
        may compute for up to its time budget; a memory hit is still fetched inline."""
        prompt = await self.aget(brand, type_, locale, subject)
        return await asyncio.to_thread(self._renderer.render_or_fallback, prompt, context)

    def render_prompt(self, prompt: Prompt, context: Mapping[str, Any] | None = None) -> str:
        """Render a prompt from `get`; on any failure the built-in default, then a fixed text."""
        return self._renderer.render_or_fallback(prompt, context)

    # -- the slow path ---------------------------------------------------------------------

    def _get_slow(self, brand: str, t: PromptType, tag: str = "",
                  asked: str = "") -> Prompt:
        """Below memory; `tag` is the canonical locale ("" none), `asked` as the caller spelled
        it (the memory key)."""
        if self._forked:
            self._restart_in_child()
        if not (isinstance(brand, str) and BRAND_RE.fullmatch(brand)):
            shown = repr(brand)[:80]
            self._notices.warn_once(("brand", shown),
                                    "invalid brand %s; answering with brand default", shown)
            brand = DEFAULT_BRAND
            hit = self._memory_hit((brand, t, asked) if asked else (brand, t))
            if hit is not None:
                return hit
        try:
            return self._resolve((brand, t, asked) if asked else (brand, t), tag)
        except Exception as exc:  # a bug must still not break a chat
            return self._fallback(t, ("error", type(exc).__name__),
                                  "reader error (%s); using the built-in %s",
                                  redact(repr(exc)), t.value)

    def _resolve(self, key: Key, tag: str = "") -> Prompt:
        brand, t = key[0], key[1]
        found = self._backends.from_redis(brand, t, tag)
        if found is not None:
            self._keep(key, found)
            return found
        answer = self._backends.from_db(brand, t, tag)
        if answer is not None:
            if answer.prompt is None:
                return self._missing(key, answer.generation)
            self._backends.write_back(brand, answer, tag)
            self._keep(key, answer.prompt)
            return answer.prompt
        down = "the database is" if self._backends.redis is None else \
            "Redis and the database are"
        stale = self._last_good.get(key)
        if stale is not None:
            STALE_ANSWERS.inc()
            self._notices.warn_once(("stale", key), "%s unreachable; serving the last good "
                                    "copy of %s/%s", down, brand, t.slug)
            return stale._replace(source="memory")
        return self._fallback(t, ("unreachable", t), "%s unreachable and no copy of %s/%s is "
                              "in memory; using the built-in default", down, brand, t.slug)

    def _keep(self, key: Key, prompt: Prompt) -> None:
        if self._last_good.get(key) is not prompt:  # a Redis hit is often the same object
            self._last_good.put(key, prompt)
        self._remember(key, prompt, prompt.generation)

    def _remember(self, key: Key, prompt: Prompt, generation: int) -> None:
        if self._poll is not None and time.monotonic() >= self._memory.healthy_until:
            self._poll.refresh()  # the first read, or the first after a quiet spell
        self._memory.store(key, prompt, generation)

    def _missing(self, key: Key, generation: int) -> Prompt:
        brand, t = key[0], key[1]
        self._last_good.pop(key)  # deleted: no longer a copy to fall back on
        prompt = self._fallback(t, ("missing", key), "no %s prompt for brand %s nor brand "
                                "default in the database; using the built-in default",
                                t.value, brand)
        self._remember(key, prompt, generation)
        return prompt

    def _fallback(self, t: PromptType, cause: tuple[Any, ...], message: str,
                  *args: object) -> Prompt:
        self._notices.warn_once(cause, message, *args)
        FALLBACKS.labels(t.value, str(cause[0])).inc()
        return defaults.builtin(t)

    # -- lifecycle -------------------------------------------------------------------------

    def _restart_in_child(self) -> None:
        """First slow call in a forked child: own sockets, own subscriber thread."""
        with self._fork_lock:
            if not self._forked:
                return
            if not self._backends.closed:
                self._backends.reconnect()
                if self._heartbeat is not None:  # first: the subscriber wakes its new thread
                    self._heartbeat.restart_in_child()
                if self._subscriber is not None:
                    self._subscriber.start()
            self._forked = False  # last: other threads wait for the new connections

    def _after_fork(self) -> None:
        # Only flag here: the child runs hooks in a fragile state; the work happens on the
        # first slow call. memory.reset() makes every read take the slow path until then.
        self._fork_lock = threading.Lock()
        self._memory.reset()
        self._last_good.reset_lock()
        self._notices.reset()
        self._locales.reset()
        self._renderer.reset()
        if self._poll is not None:
            self._poll.reset()
        self._backends.reset_locks()
        self._forked = True

    def close(self) -> None:
        """Stop the subscriber and the fleet report, close the connections (the reader still
        answers: defaults)."""
        if self._heartbeat is not None:
            self._heartbeat.stop(GOODBYE_WAIT)
        if self._subscriber is not None:
            self._subscriber.stop()
        self._memory.unsubscribed()
        self._backends.close()

    def __enter__(self) -> PromptReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _tiers(memory: MemoryTier, backends: Backends, kept: bool) -> Callable[[], dict[str, str]]:
    """Which tiers can answer now, read from plain attributes (the heartbeat's thread)."""

    def tiers() -> dict[str, str]:
        trusted = time.monotonic() < memory.healthy_until
        return {"memory": ("ok" if trusted else "down") if kept else "off",
                "redis": "ok" if backends.redis_breaker.is_closed else "down",
                "database": "ok" if backends.db_breaker.is_closed else "down"}

    return tiers


def _untrusted() -> bool:
    """With Redis, only the events channel vouches for memory: nothing to look at here."""
    return False


def _child_hook(reader: PromptReader) -> Any:
    ref = weakref.ref(reader)

    def hook() -> None:
        alive = ref()
        if alive is not None:
            alive._after_fork()

    return hook
