"""How a prompt renders for a context: the one rule the reader, the API's preview, the CLI's
preview and the validator's sample renders all follow.

    compiled = renderer.compiled(template_text, variables)   # cached by what was compiled
    text = render_text(compiled, context)                    # raises what the sandbox raises
    outcome = renderer.outcome(template_text, variables, context)   # Rendered | RenderFailure

The rule: the context's values are checked against the declared types (rendering.coercion:
"no" is False for a boolean, a value that cannot mean its type is dropped), the declared defaults
fill what the context leaves out, a required variable without a value fails the render
(`MissingVariable`), and the template runs in the one sandbox, bounded in time and size.

A compiled template is cached under what it was compiled from, the template text and its
declared variables, never under coordinates such as (brand, type, version, commit): right
after a sync a base text and its translation share all four.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from jinja2 import Template, UndefinedError

from promptsync.lru import LRU
from promptsync.record import Variables, freeze_variables
from promptsync.rendering.coercion import Check, Coerced, checks_of, typed
from promptsync.sandbox import (
    DEFAULT_RENDER_SECONDS,
    ENV,
    MAX_OUTPUT_CHARS,
    Rendered,
    RenderOutcome,
    collect,
    failure_of,
)

NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})
OnCoerced = Callable[[tuple[Coerced, ...]], None]


class MissingVariable(UndefinedError):
    """The context lacks a variable the prompt declares as required (to the sandbox's table
    of failures, a variable without a value like any other)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"required variable {name!r} missing from the context")


class Compiled(NamedTuple):
    template: Template
    base: dict[str, Any]  # Jinja's globals, then the declared defaults: what a context extends
    required: tuple[str, ...]
    checks: tuple[Check, ...]  # declared types, applied to the context (rendering.coercion)


def compile_declared(template: Template, variables: Mapping[str, Mapping[str, Any]]) -> Compiled:
    """`template` with what its declarations add to every render."""
    defaults = {name: spec["default"] for name, spec in variables.items()
                if spec.get("default") is not None}
    required = tuple(name for name, spec in variables.items() if spec.get("required"))
    return Compiled(template, {**template.globals, **defaults}, required, checks_of(variables))


def render_text(compiled: Compiled, context: Mapping[str, Any], *,
                seconds: float = DEFAULT_RENDER_SECONDS, max_chars: int = MAX_OUTPUT_CHARS,
                check_every: int = 1, on_coerced: OnCoerced | None = None) -> str:
    """The text; raises MissingVariable, a Jinja error, RenderTimeout or OutputTooLarge.

    Bounded by the sandbox's budget (checked between output chunks, every `check_every`, and
    at every call and loop step), never by a signal: a library inside a chat service must not
    take over its host's signal handlers."""
    if compiled.checks:
        context, notes = typed(context, compiled.checks)
        if notes and on_coerced is not None:
            on_coerced(notes)
    # One fresh dict, handed to Jinja as is (shared=True: Jinja's own copy would add the
    # globals, which `base` holds already); nothing the template does ({% set %} included)
    # writes to the caller's mapping.
    values = {**compiled.base, **context}
    for name in compiled.required:
        if name not in values:
            raise MissingVariable(name)
    # root_render_func is what Template.render joins; calling it directly skips jinja's
    # traceback rewriting, which nobody is shown anyway.
    template = compiled.template
    ctx = template.new_context(values, shared=True)
    return collect(template.root_render_func(ctx), seconds, max_chars, check_every)


@dataclass(frozen=True)
class PromptRender:
    """What rendering a prompt for a context came to, and which values were not of their
    declared type (converted, or dropped so the default applies)."""

    outcome: RenderOutcome
    coerced: tuple[Coerced, ...] = ()
    missing: str | None = None  # the required variable the context lacked


class Renderer:
    """Compiled templates keyed by (template text, declared variables); thread-safe."""

    def __init__(self, max_entries: int = 4096, max_bytes: int = 64 * 2**20) -> None:
        self._cache: LRU[tuple[str, Variables], Compiled] = LRU(
            max_entries, max_bytes=max_bytes, weigh=_weight)

    def compiled(self, template: str, variables: Mapping[str, Mapping[str, Any]]) -> Compiled:
        """Raises jinja2's TemplateSyntaxError (or what else compiling raises) on a bad one."""
        key = (template, freeze_variables(variables))
        found = self._cache.get(key)
        if found is None:
            found = compile_declared(ENV.from_string(template), key[1])
            self._cache.put(key, found)
        return found

    def outcome(self, template: str, variables: Mapping[str, Mapping[str, Any]],
                context: Mapping[str, Any], *, seconds: float = DEFAULT_RENDER_SECONDS,
                max_chars: int = MAX_OUTPUT_CHARS) -> PromptRender:
        """The text or why there is none, as a value; never raises."""
        noted: list[Coerced] = []
        try:
            compiled = self.compiled(template, variables)
            text = render_text(compiled, context, seconds=seconds, max_chars=max_chars,
                               on_coerced=noted.extend)
        except Exception as exc:  # an untrusted template may fail in any way
            missing = exc.name if isinstance(exc, MissingVariable) else None
            return PromptRender(failure_of(exc), tuple(noted), missing)
        return PromptRender(Rendered(text), tuple(noted))

    def reset(self) -> None:
        """After a fork: the parent's lock may be held by a thread that does not exist here."""
        self._cache.reset_lock()


def _weight(key: tuple[str, Variables], compiled: Compiled) -> int:
    # Jinja's compiled module is Python code of roughly 20 times the template's length.
    return 4096 + 20 * len(key[0])


def outcome_of(compiled: Compiled, context: Mapping[str, Any], *,
               seconds: float = DEFAULT_RENDER_SECONDS) -> RenderOutcome:
    """`render_text` as a value, for a template compiled elsewhere (the validator compiles
    from the syntax tree it has already checked)."""
    try:
        return Rendered(render_text(compiled, context, seconds=seconds))
    except Exception as exc:
        return failure_of(exc)
