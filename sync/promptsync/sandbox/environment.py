"""The one Jinja environment every part renders with: sandboxed, strict, bounded.

Validation renders untrusted templates from pull requests, so a template must not reach Python
internals, load files, loop for ever or build a huge string. The sandbox blocks attribute access
to `_names`; the overrides below cap the operators, filters and string methods that can
allocate without bound (see limits), and the compiled code checks the render's budget.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import StrictUndefined, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from promptsync.sandbox import budget
from promptsync.sandbox.codegen import BoundedCodeGenerator
from promptsync.sandbox.limits import (
    MAX_VALUE_CHARS,
    WIDE_FORMAT,
    PrintsCallable,
    ValueTooLarge,
    bounded_list,
    bounded_range,
    check_power,
    check_predicted,
    check_repeat,
    check_str_method,
    check_weight,
    replaced_size,
)

# Filters that turn an iterable (maybe a lazy `map`) into a list or string first.
_MATERIALIZING_FILTERS = ("join", "list", "sort", "unique", "reverse", "sum", "batch", "slice",
                          "groupby", "dictsort")
_WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "batch", "slice")


class PromptEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox with bounded operators and values, and no `_private` attributes."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = BoundedCodeGenerator

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            check_power(left, right)
        elif operator == "*":
            check_repeat(left, right)
        elif operator == "+":
            check_weight(left, right)
        elif operator == "%" and isinstance(left, str):
            if WIDE_FORMAT.search(left):
                raise ValueTooLarge("format width too large")
            check_weight(left, right)
        return super().call_binop(context, operator, left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget.check_deadline()  # a macro calling itself twice per level computes without output
        check_weight(*args, *kwargs.values())
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            name = getattr(__obj, "__name__", "")
            if name == "join" and args:
                args = (bounded_list(args[0]), *args[1:])
            check_str_method(owner, name, args)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # str.format is wrapped by the sandbox before `call` sees it, so check the pattern here.
        if (attribute in ("format", "format_map") and isinstance(obj, str)
                and WIDE_FORMAT.search(obj)):
            raise ValueTooLarge("format width too large")
        return super().getattr(obj, attribute)

    def bounded_iter(self, iterable: Any) -> Any:
        return budget.bounded_iter(iterable)

    def captured_text(self) -> budget.CapturedText:
        return budget.CapturedText()

    def bounded_concat(self, join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
        check_weight(*parts)
        return join(parts)


def _guarded_filter(original: Callable[..., Any], data_index: int, *, widths: bool,
                    materialize: bool) -> Callable[..., Any]:
    """`original` with its input weighed first (and its width arguments capped)."""

    @functools.wraps(original)  # keeps Jinja's pass_environment / pass_eval_context marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if materialize and len(args) > data_index:
            args = (*args[:data_index], bounded_list(args[data_index]), *args[data_index + 1:])
        check_weight(*args[data_index:], *kwargs.values())
        if widths and any(isinstance(a, int) and a > MAX_VALUE_CHARS
                          for a in (*args[data_index + 1:], *kwargs.values())):
            raise ValueTooLarge("filter width too large")
        data = args[data_index] if len(args) > data_index else None
        if _is_function(data):
            raise PrintsCallable(data)  # `| string` would print its repr, as {{ }} would
        if isinstance(data, str) and WIDE_FORMAT.search(data) and original.__name__ == "do_format":
            raise ValueTooLarge("format width too large")
        _check_filter_growth(original.__name__, data, args[data_index + 1:], kwargs)
        return original(*args, **kwargs)

    return guarded


def _check_filter_growth(name: str, data: Any, args: tuple[Any, ...],
                         kwargs: Mapping[str, Any]) -> None:
    if name == "do_replace" and len(args) >= 2:
        check_predicted(replaced_size(data, args[0], args[1]))
    elif name == "do_indent":
        width = args[0] if args else kwargs.get("width", 4)
        per_line = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        check_predicted(len(str(data)) + (str(data).count("\n") + 1) * per_line)


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
    env.globals["range"] = bounded_range  # the sandbox's own says "MAX_RANGE" to an editor
    return env


def _is_function(value: Any) -> bool:
    # Undefined is callable too (calling it raises the undefined error Jinja should give).
    return callable(value) and not isinstance(value, str | int | float | Undefined)


def _finalize(value: Any) -> Any:
    # Every {{ value }} passes here before it becomes text.
    if _is_function(value):
        raise PrintsCallable(value)
    check_weight(value)
    return value


ENV = make_environment()
