"""The reader's renders: the one rule (promptsync.rendering), with the reader's promise on
top: a render never raises; on any failure the built-in default answers, then a fixed text.

Templates reaching the reader passed the daemon's validation; the bound is a second line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from promptsync import defaults
from promptsync.reader.notices import RENDER_FAILURES, Notices
from promptsync.record import BUILTIN_COMMIT, Prompt
from promptsync.rendering.coercion import Coerced
from promptsync.rendering.renderer import NO_CONTEXT, Renderer, render_text
from promptsync.sandbox import DEFAULT_RENDER_SECONDS, MAX_OUTPUT_CHARS, RenderFailure, failure_of

_CHECK_EVERY = 16  # chunks between deadline checks: a clock read per chunk is measurable


class PromptRenderer:
    """Renders what `get` answered; thread-safe."""

    def __init__(self, notices: Notices, seconds: float = DEFAULT_RENDER_SECONDS,
                 max_chars: int = MAX_OUTPUT_CHARS, max_entries: int = 4096) -> None:
        self.notices = notices
        self.seconds = seconds
        self.max_chars = max_chars
        self._renderer = Renderer(max_entries)

    def render_or_fallback(self, prompt: Prompt, context: Mapping[str, Any] | None) -> str:
        """The text; on any failure the built-in default's, then a fixed text. Never raises."""
        try:
            return self.render(prompt, NO_CONTEXT if context is None else context)
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
                return self.render(defaults.builtin(prompt.type), context or NO_CONTEXT)
            except Exception as exc:
                again = failure_of(exc)
                self.notices.warn_once(("render-builtin", prompt.type, again.code),
                                       "cannot render the built-in %s either: %s",
                                       prompt.type.value, again.message)
        return defaults.SAFE_TEXT[prompt.type]

    def render(self, prompt: Prompt, context: Mapping[str, Any]) -> str:
        """The text; raises MissingVariable, a Jinja error, RenderTimeout or OutputTooLarge."""
        compiled = self._renderer.compiled(prompt.template, prompt.variables)
        if not compiled.checks:
            return render_text(compiled, context, seconds=self.seconds,
                               max_chars=self.max_chars, check_every=_CHECK_EVERY)
        return render_text(compiled, context, seconds=self.seconds, max_chars=self.max_chars,
                           check_every=_CHECK_EVERY,
                           on_coerced=lambda notes: self._wrong_types(prompt, notes))

    def _wrong_types(self, prompt: Prompt, notes: tuple[Coerced, ...]) -> None:
        for note in notes:
            # The value itself may be a customer's data: the log names only its type.
            got = type(note.given).__name__
            self.notices.warn_once(
                ("type", prompt.brand, prompt.type, note.name, got, note.dropped),
                "%s/%s: variable %r is declared %s but got a %s; %s", prompt.brand,
                prompt.type.slug, note.name, note.declared, got,
                "dropped it (the declared default applies)" if note.dropped
                else f"used it as {note.declared}")

    def reset(self) -> None:
        self._renderer.reset()
