"""The one Jinja environment every part renders with: sandboxed, strict, bounded.

Validation renders untrusted templates from pull requests, so a template must not reach Python
internals, load files, loop for ever or build a huge string. The sandbox blocks attribute access
to `_names`; the overrides below cap the operators and string methods that can allocate without
bound, and `render_bounded` stops a render that runs too long or writes too much.
"""

from __future__ import annotations

import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_TEMPLATE_CHARS = 10_000
MAX_OUTPUT_CHARS = 10_000
# A few times the output limit: enough for any honest intermediate value, far below harm.
MAX_VALUE_CHARS = 100_000
DEFAULT_RENDER_SECONDS = 1.0
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_WIDE_FORMAT = re.compile(r"%[-+ #0]*(\d{6,}|\*)|\{[^{}]*:[^{}]*\d{6,}[^{}]*\}")


class RenderTimeout(Exception):
    """A render ran past its time budget."""


class OutputTooLarge(Exception):
    """A render produced more text than a prompt may hold."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


class PromptEnvironment(SandboxedEnvironment):
    """SandboxedEnvironment with bounded operators and no `_private` attributes."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_repeat(left, right)
        elif operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise SecurityError("format width too large")
        return super().call_binop(context, operator, left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        name = getattr(__obj, "__name__", "")
        if (isinstance(getattr(__obj, "__self__", None), str) and name in _WIDTH_METHODS
                and any(isinstance(a, int) and a > MAX_VALUE_CHARS for a in args)):
            raise SecurityError(f"str.{name} width too large")
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # str.format is wrapped by the sandbox before `call` sees it, so check the pattern here.
        if (attribute in ("format", "format_map") and isinstance(obj, str)
                and _WIDE_FORMAT.search(obj)):
            raise SecurityError("format width too large")
        return super().getattr(obj, attribute)


def _check_power(left: Any, right: Any) -> None:
    if (isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0
            and right * math.log2(abs(left)) > 4096):
        raise SecurityError("power too large")


def _check_repeat(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        if _size(seq) and isinstance(count, int) and _size(seq) * count > MAX_VALUE_CHARS:
            raise SecurityError("repetition too large")


def _bounded_filter(original: Callable[..., Any], arg_index: int) -> Callable[..., Any]:
    def bounded(*args: Any, **kwargs: Any) -> Any:
        widths = [a for a in (*args[arg_index:], *kwargs.values()) if isinstance(a, int)]
        if any(w > MAX_VALUE_CHARS for w in widths):
            raise SecurityError("filter width too large")
        if args and isinstance(args[0], str) and _WIDE_FORMAT.search(args[0]):
            raise SecurityError("format width too large")
        return original(*args, **kwargs)

    return bounded


def make_environment() -> PromptEnvironment:
    """A fresh environment: strict undefined, no loader (so no include/import/extends)."""
    env = PromptEnvironment(undefined=StrictUndefined, autoescape=False,
                            keep_trailing_newline=False, auto_reload=False)
    for name in ("center", "indent", "wordwrap", "truncate", "format"):
        env.filters[name] = _bounded_filter(env.filters[name], 1)
    for name in ("lipsum", "cycler", "joiner", "namespace"):
        env.globals.pop(name, None)
    return env


ENV = make_environment()


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt pure-Python loops after `seconds`; only possible in the main thread."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable or seconds <= 0:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise RenderTimeout(f"render took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_bounded(template: Template, context: Mapping[str, Any], *,
                   seconds: float = DEFAULT_RENDER_SECONDS,
                   max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Render, raising RenderTimeout or OutputTooLarge instead of hanging or filling memory.

    Outside the main thread no alarm can interrupt a loop; the deadline is then checked
    between output chunks, which bounds every template that writes as it loops.
    """
    deadline = time.monotonic() + seconds
    parts: list[str] = []
    total = 0
    with _alarm(seconds):
        for chunk in template.generate(dict(context)):
            total += len(chunk)
            if total > max_chars:
                raise OutputTooLarge(f"rendered text is over {max_chars:,} characters")
            if time.monotonic() > deadline:
                raise RenderTimeout(f"render took longer than {seconds:g} s")
            parts.append(chunk)
    return "".join(parts)
