"""The one Jinja environment every part renders with: sandboxed, strict, bounded.

Validation renders untrusted templates from pull requests, so a template must not reach Python
internals, load files, loop for ever or build a huge string. The sandbox blocks attribute access
to `_names`; the overrides below cap the operators and string methods that can allocate without
bound, and `render_bounded` stops a render that runs too long or writes too much.
"""

from __future__ import annotations

import functools
import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_CHARS = 10_000
MAX_OUTPUT_CHARS = 10_000
# A few times the output limit: enough for any honest intermediate value, far below harm.
MAX_VALUE_CHARS = 100_000
# Whole numbers beyond this many bits have no place in a prompt (and multiply slowly in C).
MAX_INT_BITS = 16_384
DEFAULT_RENDER_SECONDS = 1.0
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill"})
_WIDE_FORMAT = re.compile(
    r"%[-+ #0]*(\d{6,}|\*)|%[-+ #0]*\d*\.(\d{6,}|\*)"  # printf width or precision
    r"|\{[^{}]*:[^{}]*\d{6,}[^{}]*\}|\{[^{}]*:[^{}]*\{")  # str.format width, nested spec
# Filters that turn an iterable (maybe a lazy `map`) into a list or string first.
_MATERIALIZING_FILTERS = ("join", "list", "sort", "unique", "reverse", "sum", "batch", "slice",
                          "groupby", "dictsort")
_WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "batch", "slice")


class RenderTimeout(Exception):
    """A render ran past its time budget."""


class OutputTooLarge(Exception):
    """A render produced more text than a prompt may hold."""


class ValueTooLarge(OutputTooLarge, SecurityError):
    """A value would grow past MAX_VALUE_CHARS; raised before it is built, not after."""


def _weight(value: Any, budget: int = MAX_VALUE_CHARS) -> int:
    """About how many characters `value` prints as; stops counting once over `budget`."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, Mapping):
        value = [*value.keys(), *value.values()]
    if not isinstance(value, list | tuple | set | frozenset):
        return 1
    total = len(value)
    for item in value:
        if total > budget:
            break
        total += _weight(item, budget - total)
    return total


def _check_weight(*values: Any) -> None:
    total = 0
    for value in values:
        total += _weight(value, MAX_VALUE_CHARS - total)
        if total > MAX_VALUE_CHARS:
            raise ValueTooLarge(f"a value is over {MAX_VALUE_CHARS:,} characters")


# The deadline of the render running in this thread. A signal can only interrupt the main
# thread; loops and calls check this instead, so a template that computes without writing
# anything (nested loops, a recursive macro) is stopped in any thread, a chat worker's too.
_render_deadline = threading.local()
_CHECK_EVERY_ITEMS = 256


Deadline = tuple[float, float] | None  # (monotonic time, the budget in seconds) or none


def start_deadline(seconds: float) -> Deadline:
    """Renders in this thread raise RenderTimeout once `seconds` have passed; returns the
    deadline it replaces, for `end_deadline` (two calls, not a context manager: the reader
    renders in ~6 µs and a generator-based `with` would cost a tenth of that)."""
    previous: Deadline = getattr(_render_deadline, "at", None)
    _render_deadline.at = (time.monotonic() + seconds, seconds)
    return previous


def end_deadline(previous: Deadline) -> None:
    _render_deadline.at = previous


def _check_deadline() -> None:
    at = getattr(_render_deadline, "at", None)
    if at is not None and time.monotonic() > at[0]:
        raise RenderTimeout(f"render took longer than {at[1]:g} s")


def _deadline_iter(iterable: Any) -> Iterator[Any]:
    for count, item in enumerate(iterable):
        if not count % _CHECK_EVERY_ITEMS:  # the first item too: an inner loop's every start
            _check_deadline()
        yield item


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` into a call that checks the size before joining, and every loop's
    iterable into one that checks the render's deadline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_iterables: set[int] = set()  # ids of nodes alive for this compile

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # Jinja forbids new node types; mark the iterable, and wrap it where it is written.
        self._loop_iterables.add(id(node.iter))
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) not in self._loop_iterables:
            return super().visit(node, *args, **kwargs)
        self.write("environment.bounded_iter(")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.bounded_concat({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class PromptEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox with bounded operators and values, and no `_private` attributes."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCodeGenerator

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_repeat(left, right)
        elif operator == "+":
            _check_weight(left, right)
        elif operator == "%" and isinstance(left, str):
            if _WIDE_FORMAT.search(left):
                raise ValueTooLarge("format width too large")
            _check_weight(left, right)
        return super().call_binop(context, operator, left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_deadline()  # a macro calling itself twice per level computes without output
        _check_weight(*args, *kwargs.values())
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            name = getattr(__obj, "__name__", "")
            if name == "join" and args:
                args = (_bounded_list(args[0]), *args[1:])
            _check_str_method(owner, name, args)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # str.format is wrapped by the sandbox before `call` sees it, so check the pattern here.
        if (attribute in ("format", "format_map") and isinstance(obj, str)
                and _WIDE_FORMAT.search(obj)):
            raise ValueTooLarge("format width too large")
        return super().getattr(obj, attribute)

    def bounded_iter(self, iterable: Any) -> Any:
        if getattr(_render_deadline, "at", None) is None:
            return iterable
        return _deadline_iter(iterable)

    def bounded_concat(self, join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
        _check_weight(*parts)
        return join(parts)


def _check_power(left: Any, right: Any) -> None:
    if (isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0
            and right * math.log2(abs(left)) > 4096):
        raise ValueTooLarge("power too large")


def _check_repeat(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise ValueTooLarge("product too large")
        return
    for seq, count in ((left, right), (right, left)):
        if (isinstance(count, int) and isinstance(seq, str | bytes | list | tuple)
                and _weight(seq) * count > MAX_VALUE_CHARS):
            raise ValueTooLarge("repetition too large")


def _check_str_method(text: str, name: str, args: tuple[Any, ...]) -> None:
    if name in _WIDTH_METHODS and any(isinstance(a, int) and a > MAX_VALUE_CHARS for a in args):
        raise ValueTooLarge(f"str.{name} width too large")
    if name == "expandtabs" and args and isinstance(args[0], int):
        _check_predicted(len(text) + text.count("\t") * args[0])
    elif name == "replace" and len(args) >= 2:
        _check_predicted(_replaced_size(text, args[0], args[1]))


def _replaced_size(text: Any, old: Any, new: Any) -> int:
    text, old, new = str(text), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    return len(text) + hits * (len(new) - len(old))


def _check_predicted(size: int) -> None:
    if size > MAX_VALUE_CHARS:
        raise ValueTooLarge(f"a value would be {size:,} characters")


def _bounded_list(items: Any) -> Any:
    """`items` as a list, stopping as soon as it weighs too much (a lazy map can be huge)."""
    if isinstance(items, str | bytes | Mapping) or not hasattr(items, "__iter__"):
        return items
    result: list[Any] = []
    total = 0
    for item in items:
        total += _weight(item) + 1
        if total > MAX_VALUE_CHARS:
            raise ValueTooLarge(f"a list is over {MAX_VALUE_CHARS:,} characters")
        result.append(item)
    return result


def _guarded_filter(original: Callable[..., Any], data_index: int, *, widths: bool,
                    materialize: bool) -> Callable[..., Any]:
    """`original` with its input weighed first (and its width arguments capped)."""

    @functools.wraps(original)  # keeps Jinja's pass_environment / pass_eval_context marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if materialize and len(args) > data_index:
            args = (*args[:data_index], _bounded_list(args[data_index]), *args[data_index + 1:])
        _check_weight(*args[data_index:], *kwargs.values())
        if widths and any(isinstance(a, int) and a > MAX_VALUE_CHARS
                          for a in (*args[data_index + 1:], *kwargs.values())):
            raise ValueTooLarge("filter width too large")
        data = args[data_index] if len(args) > data_index else None
        if isinstance(data, str) and _WIDE_FORMAT.search(data) and original.__name__ == "do_format":
            raise ValueTooLarge("format width too large")
        _check_filter_growth(original.__name__, data, args[data_index + 1:], kwargs)
        return original(*args, **kwargs)

    return guarded


def _check_filter_growth(name: str, data: Any, args: tuple[Any, ...],
                         kwargs: Mapping[str, Any]) -> None:
    if name == "do_replace" and len(args) >= 2:
        _check_predicted(_replaced_size(data, args[0], args[1]))
    elif name == "do_indent":
        width = args[0] if args else kwargs.get("width", 4)
        per_line = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _check_predicted(len(str(data)) + (str(data).count("\n") + 1) * per_line)


def _data_index(func: Callable[..., Any]) -> int:
    # Filters marked pass_context / pass_eval_context / pass_environment get that first.
    return 1 if getattr(func, "jinja_pass_arg", None) is not None else 0


def make_environment() -> PromptEnvironment:
    """A fresh environment: strict undefined, no loader (so no include/import/extends)."""
    env = PromptEnvironment(undefined=StrictUndefined, autoescape=False,
                            keep_trailing_newline=False, auto_reload=False,
                            finalize=_finalize)
    for name, original in list(env.filters.items()):
        env.filters[name] = _guarded_filter(original, _data_index(original),
                                            widths=name in _WIDTH_FILTERS,
                                            materialize=name in _MATERIALIZING_FILTERS)
    for name in ("lipsum", "cycler", "joiner", "namespace"):
        env.globals.pop(name, None)
    return env


def _finalize(value: Any) -> Any:
    # Every {{ value }} passes here before it becomes text.
    _check_weight(value)
    return value


ENV = make_environment()


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
        raise RenderTimeout(f"render took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def collect(chunks: Iterable[str], seconds: float, max_chars: int, check_every: int = 1) -> str:
    """Join a render's output chunks, raising OutputTooLarge past `max_chars` characters and
    RenderTimeout once `seconds` have passed.

    The deadline is this thread's render deadline (`start_deadline`), so the calls and loops
    of the template check the same one; between chunks it is checked every `check_every`
    chunks. `chunks` must be lazy (a generator) for the deadline to cover the render.
    """
    parts: list[str] = []
    total = 0
    previous = start_deadline(seconds)
    try:
        for chunk in chunks:
            total += len(chunk)
            parts.append(chunk)
            if total > max_chars:
                raise OutputTooLarge(f"rendered text is over {max_chars:,} characters")
            if not len(parts) % check_every:
                _check_deadline()
    finally:
        end_deadline(previous)
    return "".join(parts)


def render_bounded(template: Template, context: Mapping[str, Any], *,
                   seconds: float = DEFAULT_RENDER_SECONDS,
                   max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Render, raising RenderTimeout or OutputTooLarge instead of hanging or filling memory.

    Outside the main thread no alarm can interrupt a loop; the deadline is then checked
    between output chunks, at every call and every 256 items of a loop.
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
                raise RenderTimeout(f"render took longer than {seconds:g} s") from exc
            raise
