"""Rendering: compiled templates cached per prompt version, bounded without touching signals.

`promptsync.sandbox.render_bounded` arms SIGALRM when called from the main thread; a library running
inside a chat service must not take over its host's signal handlers, so the reader checks its
deadline between output chunks, and the sandbox checks it at every call and loop step (the
same bound render_bounded gives in other threads).
Templates reaching the reader passed the daemon's validation; the bound is a second line.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from jinja2 import Template, UndefinedError

from promptsync import defaults
from promptsync.lru import LRU
from promptsync.model import PromptType
from promptsync.reader.coerce import Check, checks_of, typed
from promptsync.reader.notices import RENDER_FAILURES, Notices
from promptsync.record import BUILTIN_COMMIT, Prompt
from promptsync.sandbox import (
    DEFAULT_RENDER_SECONDS,
    ENV,
    MAX_OUTPUT_CHARS,
    RenderFailure,
    collect,
    failure_of,
)

_NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})
_CHECK_EVERY = 16  # chunks between deadline checks: a clock read per chunk is measurable


class MissingVariable(UndefinedError):
    """The context lacks a variable the prompt declares as required (to the sandbox's table
    of failures, a variable without a value like any other)."""


class Compiled(NamedTuple):
    template: Template
    base: dict[str, Any]  # Jinja's globals, then the declared defaults: what a context extends
    required: tuple[str, ...]
    checks: tuple[Check, ...]  # declared types, applied to the context (reader.coerce)


CacheKey = tuple[str, PromptType, int, str]


def compile_prompt(prompt: Prompt) -> Compiled:
    """Compile in the shared sandbox; raises jinja2's TemplateSyntaxError on a bad template."""
    defaults = {name: spec["default"] for name, spec in prompt.variables.items()
                if spec.get("default") is not None}
    required = tuple(name for name, spec in prompt.variables.items() if spec.get("required"))
    template = ENV.from_string(prompt.template)
    return Compiled(template, {**template.globals, **defaults}, required, checks_of(prompt))


class Renderer:
    """Thread-safe cache of compiled templates keyed by (brand, type, version, commit)."""

    def __init__(self, notices: Notices, seconds: float = DEFAULT_RENDER_SECONDS,
                 max_chars: int = MAX_OUTPUT_CHARS, max_entries: int = 4096) -> None:
        self.notices = notices
        self.seconds = seconds
        self.max_chars = max_chars
        self._cache: LRU[CacheKey, Compiled] = LRU(max_entries)

    def render_or_fallback(self, prompt: Prompt, context: Mapping[str, Any] | None) -> str:
        """The text; on any failure the built-in default's, then a fixed text. Never raises."""
        try:
            return self.render(prompt, _NO_CONTEXT if context is None else context)
        except Exception as exc:  # the sandbox says what it means: the success path stays bare
            return self._fallback(prompt, context, failure_of(exc))

    def _fallback(self, prompt: Prompt, context: Mapping[str, Any] | None,
                  failure: RenderFailure) -> str:
        RENDER_FAILURES.labels(prompt.type.value).inc()
        self.notices.warn_once(
            ("render", prompt.brand, prompt.type, prompt.version, prompt.commit, failure.code),
            "cannot render %s/%s version %s (%s); using the built-in default",
            prompt.brand, prompt.type.slug, prompt.version, failure.message)
        if prompt.commit != BUILTIN_COMMIT:
            try:
                return self.render(defaults.builtin(prompt.type), context or _NO_CONTEXT)
            except Exception as exc:
                again = failure_of(exc)
                self.notices.warn_once(("render-builtin", prompt.type, again.code),
                                       "cannot render the built-in %s either: %s",
                                       prompt.type.value, again.message)
        return defaults.SAFE_TEXT[prompt.type]

    def render(self, prompt: Prompt, context: Mapping[str, Any]) -> str:
        """The text; raises MissingVariable, a Jinja error, RenderTimeout or OutputTooLarge."""
        key = (prompt.brand, prompt.type, prompt.version, prompt.commit)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._compile(key, prompt)
        if compiled.checks:
            context = typed(context, compiled.checks, prompt, self._wrong_type)
        # One fresh dict, handed to Jinja as is (shared=True: Jinja's own copy would add the
        # globals, which `base` holds already); nothing the template does ({% set %} included)
        # writes to the caller's mapping.
        values = {**compiled.base, **context}
        for name in compiled.required:
            if name not in values:
                raise MissingVariable(f"required variable {name!r} missing from the context")
        # root_render_func is what Template.render joins; calling it directly skips jinja's
        # traceback rewriting, which the reader never shows anyway.
        template = compiled.template
        ctx = template.new_context(values, shared=True)
        return collect(template.root_render_func(ctx), self.seconds, self.max_chars, _CHECK_EVERY)

    def _wrong_type(self, prompt: Prompt, name: str, declared: str, value: Any,
                    dropped: bool) -> None:
        # The value itself may be a customer's data: the log names only its type.
        got = type(value).__name__
        self.notices.warn_once(
            ("type", prompt.brand, prompt.type, name, got, dropped),
            "%s/%s: variable %r is declared %s but got a %s; %s", prompt.brand,
            prompt.type.slug, name, declared, got,
            "dropped it (the declared default applies)" if dropped else f"used it as {declared}")

    def _compile(self, key: CacheKey, prompt: Prompt) -> Compiled:
        compiled = compile_prompt(prompt)
        self._cache.put(key, compiled)
        return compiled

    def reset(self) -> None:
        self._cache.reset_lock()
