"""The sizes a render may reach, and the checks that refuse a value before it is built.

A template from a pull request must not allocate without bound: each operator or method that can
grow a value (`*`, `**`, `%`, `+`, `ljust`, `replace`, `join`...) is weighed here first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import MAX_RANGE

MAX_TEMPLATE_CHARS = 10_000
MAX_OUTPUT_CHARS = 10_000
# A few times the output limit: enough for any honest intermediate value, far below harm.
MAX_VALUE_CHARS = 100_000
# Whole numbers beyond this many bits have no place in a prompt (and multiply slowly in C).
MAX_INT_BITS = 16_384
DEFAULT_RENDER_SECONDS = 1.0
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill"})
WIDE_FORMAT = re.compile(
    r"%[-+ #0]*(\d{6,}|\*)|%[-+ #0]*\d*\.(\d{6,}|\*)"  # printf width or precision
    r"|\{[^{}]*:[^{}]*\d{6,}[^{}]*\}|\{[^{}]*:[^{}]*\{")  # str.format width, nested spec


class RenderTimeout(Exception):
    """A render ran past its time budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rendering took longer than {seconds:g} s")
        self.seconds = seconds


class RangeTooLong(OverflowError):
    """A `range()` longer than a loop of a prompt may run (Jinja's sandbox says it in terms
    of its MAX_RANGE constant, which no prompt editor knows)."""

    def __init__(self, steps: int | None) -> None:
        count = "more times than can be counted" if steps is None else f"{steps:,} times"
        super().__init__(f"a loop would repeat {count}; a loop over range() may repeat at most "
                         f"{MAX_RANGE:,} times")


def bounded_range(*args: int) -> range:
    """`range(*args)`, refused when it is longer than MAX_RANGE."""
    found = range(*args)
    try:
        steps: int | None = len(found)
    except OverflowError:  # longer than the machine's largest size: len() itself gives up
        steps = None
    if steps is None or steps > MAX_RANGE:
        raise RangeTooLong(steps)
    return found


class OutputTooLarge(Exception):
    """A render produced more text than a prompt may hold."""


class PrintsCallable(TypeError):
    """`{{ brand_name.upper }}`: the template prints a function, not what calling it gives.
    Jinja would print its repr (`<built-in method upper of str object at 0x7f...>`), showing a
    customer Python internals and a memory address."""

    def __init__(self, value: Any) -> None:
        self.name = str(getattr(value, "__name__", "") or getattr(value, "name", "") or "")
        super().__init__(f"prints the function {self.name!r}, not a value" if self.name
                         else "prints a function, not a value")


class ValueTooLarge(OutputTooLarge, SecurityError):
    """A value would grow past MAX_VALUE_CHARS; raised before it is built, not after."""


def weight(value: Any, budget: int = MAX_VALUE_CHARS) -> int:
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
        total += weight(item, budget - total)
    return total


def check_weight(*values: Any) -> None:
    total = 0
    for value in values:
        total += weight(value, MAX_VALUE_CHARS - total)
        if total > MAX_VALUE_CHARS:
            raise ValueTooLarge(f"a value is over {MAX_VALUE_CHARS:,} characters")


def check_power(left: Any, right: Any) -> None:
    if (isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0
            and right * math.log2(abs(left)) > 4096):
        raise ValueTooLarge("power too large")


def check_repeat(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise ValueTooLarge("product too large")
        return
    for seq, count in ((left, right), (right, left)):
        if (isinstance(count, int) and isinstance(seq, str | bytes | list | tuple)
                and weight(seq) * count > MAX_VALUE_CHARS):
            raise ValueTooLarge("repetition too large")


def check_str_method(text: str, name: str, args: tuple[Any, ...]) -> None:
    if name in _WIDTH_METHODS and any(isinstance(a, int) and a > MAX_VALUE_CHARS for a in args):
        raise ValueTooLarge(f"str.{name} width too large")
    if name == "expandtabs" and args and isinstance(args[0], int):
        check_predicted(len(text) + text.count("\t") * args[0])
    elif name == "replace" and len(args) >= 2:
        check_predicted(replaced_size(text, args[0], args[1]))


def replaced_size(text: Any, old: Any, new: Any) -> int:
    text, old, new = str(text), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    return len(text) + hits * (len(new) - len(old))


def check_predicted(size: int) -> None:
    if size > MAX_VALUE_CHARS:
        raise ValueTooLarge(f"a value would be {size:,} characters")


def bounded_list(items: Any) -> Any:
    """`items` as a list, stopping as soon as it weighs too much (a lazy map can be huge)."""
    if isinstance(items, str | bytes | Mapping) or not hasattr(items, "__iter__"):
        return items
    result: list[Any] = []
    total = 0
    for item in items:
        total += weight(item) + 1
        if total > MAX_VALUE_CHARS:
            raise ValueTooLarge(f"a list is over {MAX_VALUE_CHARS:,} characters")
        result.append(item)
    return result
