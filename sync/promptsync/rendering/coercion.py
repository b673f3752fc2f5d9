"""Context values checked against the types their prompt declares, before a render: the one
coercion every front end applies (the reader, the API's preview, the CLI's `--var`).

A chat service passes what it has, often text from a form or a header: `is_returning: "no"`
would print as "no" and test as true in `{% if is_returning %}`. Each declared variable's value
is converted where the meaning is unambiguous ("no" -> False for a boolean, "3" -> 3 for an
integer) and otherwise dropped, so the declared default applies (or, for a required variable,
the built-in prompt). Undeclared values and undeclared types pass untouched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

DROPPED: Final = object()  # the value cannot mean the declared type
_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})
_INTEGER = re.compile(r"[+-]?\d{1,30}")
_NUMBER = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")

# One declared variable: (name, declared type, the Python types that need no conversion).
Check = tuple[str, str, tuple[type, ...]]


def to_boolean(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else DROPPED
    if type(value) is int and value in (0, 1):
        return bool(value)
    return DROPPED


def to_integer(value: Any) -> Any:
    if isinstance(value, bool):
        return DROPPED  # True is an int to Python, not a count to a reader of the prompt
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return DROPPED


def to_number(value: Any) -> Any:
    if isinstance(value, bool):
        return DROPPED
    if isinstance(value, int | float):
        return value if math.isfinite(value) else DROPPED
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        if _INTEGER.fullmatch(value.strip()):
            return int(value)
        number = float(value)
        return number if math.isfinite(number) else DROPPED  # "1e999" is no number to print
    return DROPPED


def to_string(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # prints the same; compares as the text the template expects
    return DROPPED  # None, True, a list: printing it would show the customer a Python value


CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "boolean": to_boolean, "integer": to_integer, "number": to_number, "string": to_string}
_AS_IS: Mapping[str, tuple[type, ...]] = {
    "boolean": (bool,), "integer": (int,), "number": (int, float), "string": (str,)}


def checks_of(variables: Mapping[str, Mapping[str, Any]]) -> tuple[Check, ...]:
    """The declared variables whose values are checked (those with a known type)."""
    return tuple((name, str(spec.get("type")), _AS_IS[str(spec.get("type"))])
                 for name, spec in variables.items() if spec.get("type") in _AS_IS)


class Coerced(NamedTuple):
    """One value that did not have its declared type: converted, or dropped (`dropped`) so
    that the declared default applies."""

    name: str
    declared: str
    given: Any
    dropped: bool


_NONE: tuple[Coerced, ...] = ()


def typed(context: Mapping[str, Any],
          checks: tuple[Check, ...]) -> tuple[Mapping[str, Any], tuple[Coerced, ...]]:
    """`context` with each checked value converted or dropped, and what was; the same mapping
    and no changes when every value already has its type (the common case costs no copy)."""
    changed: dict[str, Any] | None = None
    notes: list[Coerced] = []
    for name, declared, as_is in checks:
        value = context.get(name, DROPPED)
        if type(value) in as_is or value is DROPPED:
            continue
        fixed = CONVERTERS[declared](value)
        if fixed is value:  # e.g. a str subclass for a string
            continue
        if changed is None:
            changed = dict(context)
        if fixed is DROPPED:
            del changed[name]
        else:
            changed[name] = fixed
        notes.append(Coerced(name, declared, value, fixed is DROPPED))
    return (context, _NONE) if changed is None else (changed, tuple(notes))
