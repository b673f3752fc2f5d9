"""The budget of one render: a deadline and a number of characters, for every way a template
builds text (its output, and what a `{% set %}` block, a macro, a `caller()` or a `{% filter %}`
captures before anything is printed).

A signal can only interrupt the main thread, so the budget lives in a thread-local that the
compiled template itself checks: at every call, every 256 items of a loop, every chunk of
captured text. A template that computes without writing anything, or that builds its text out
of sight in a capture, is stopped in any thread, a chat worker's too.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, SupportsIndex

from jinja2 import Template

from promptsync.sandbox.limits import (
    DEFAULT_RENDER_SECONDS,
    MAX_OUTPUT_CHARS,
    OutputTooLarge,
    RenderTimeout,
)

_CHECK_EVERY_ITEMS = 256
# (monotonic deadline, the budget in seconds, the most characters one text may hold), or none
Budget = tuple[float, float, int] | None
_local = threading.local()


def start_budget(seconds: float, max_chars: int = MAX_OUTPUT_CHARS) -> Budget:
    """Renders in this thread raise RenderTimeout once `seconds` have passed and OutputTooLarge
    when a capture grows past `max_chars`; returns the budget it replaces, for `end_budget`
    (two calls, not a context manager: the reader renders in ~6 µs and a generator-based
    `with` would cost a tenth of that)."""
    previous: Budget = getattr(_local, "budget", None)
    _local.budget = (time.monotonic() + seconds, seconds, max_chars)
    return previous


def end_budget(previous: Budget) -> None:
    _local.budget = previous


def check_deadline() -> None:
    budget: Budget = getattr(_local, "budget", None)
    if budget is not None and time.monotonic() > budget[0]:
        raise RenderTimeout(budget[1])


def bounded_iter(iterable: Any) -> Any:
    if getattr(_local, "budget", None) is None:
        return iterable
    return _deadline_iter(iterable)


def _deadline_iter(iterable: Any) -> Iterator[Any]:
    for count, item in enumerate(iterable):
        if not count % _CHECK_EVERY_ITEMS:  # the first item too: an inner loop's every start
            check_deadline()
        yield item


class CapturedText(list[str]):
    """The buffer a compiled template writes a block, macro or filter body into.

    Jinja joins it only when the block ends, so without a count a `{% set %}` around a loop
    could build gigabytes that never reach the output limit.
    """

    __slots__ = ("_chars",)

    def __init__(self) -> None:
        super().__init__()
        self._chars = 0

    def append(self, chunk: str) -> None:
        self._grow(len(chunk))
        super().append(chunk)

    def extend(self, chunks: Iterable[str]) -> None:
        chunks = tuple(chunks)
        self._grow(sum(map(len, chunks)))
        super().extend(chunks)

    def insert(self, index: SupportsIndex, chunk: str) -> None:
        self._grow(len(chunk))
        super().insert(index, chunk)

    def _grow(self, chars: int) -> None:
        self._chars += chars
        budget: Budget = getattr(_local, "budget", None)
        limit = MAX_OUTPUT_CHARS if budget is None else budget[2]
        if self._chars > limit:
            raise OutputTooLarge(f"text captured by a block or macro is over {limit:,} characters")
        if budget is not None and time.monotonic() > budget[0]:
            raise RenderTimeout(budget[1])


def collect(chunks: Iterable[str], seconds: float, max_chars: int, check_every: int = 1) -> str:
    """Join a render's output chunks, raising OutputTooLarge past `max_chars` characters and
    RenderTimeout once `seconds` have passed.

    The budget is this thread's (`start_budget`), so the calls, loops and captures of the
    template check the same one; between chunks the deadline is checked every `check_every`
    chunks. `chunks` must be lazy (a generator) for the budget to cover the render.
    """
    parts: list[str] = []
    total = 0
    previous = start_budget(seconds, max_chars)
    try:
        for chunk in chunks:
            total += len(chunk)
            parts.append(chunk)
            if total > max_chars:
                raise OutputTooLarge(f"rendered text is over {max_chars:,} characters")
            if not len(parts) % check_every:
                check_deadline()
    finally:
        end_budget(previous)
    return "".join(parts)


@contextmanager
def _alarm(seconds: float) -> Iterator[list[bool]]:
    """Interrupt pure-Python loops after `seconds`; only possible in the main thread.

    Yields a list that holds True once the alarm has fired.
    """
    fired: list[bool] = []
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable or seconds <= 0:
        yield fired
        return

    def on_alarm(signum: int, frame: Any) -> None:
        fired.append(True)
        raise RenderTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_bounded(template: Template, context: Mapping[str, Any], *,
                   seconds: float = DEFAULT_RENDER_SECONDS,
                   max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Render, raising RenderTimeout or OutputTooLarge instead of hanging or filling memory.

    Outside the main thread no alarm can interrupt a loop; the budget is then checked
    between output chunks, at every call and capture, and every 256 items of a loop.
    """
    with _alarm(seconds) as fired:
        try:
            return collect(template.generate(context), seconds, max_chars)
        except RenderTimeout:
            raise
        except Exception as exc:
            # Jinja rewrites the traceback of any error; for an alarm that landed on a
            # frame without a line number that rewrite itself fails with a TypeError.
            if fired:
                raise RenderTimeout(seconds) from exc
            raise
