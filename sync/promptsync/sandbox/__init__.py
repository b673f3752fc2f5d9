"""The sandbox every part renders with: one environment, its limits, the budget of a render,
and what a render comes to (`Rendered` text or a `RenderFailure`).

    template = compile_source(text)            # a Template, or a RenderFailure
    outcome = render(template, context)        # Rendered(text) | RenderFailure(code, ...)
"""

from promptsync.sandbox.budget import collect, render_bounded
from promptsync.sandbox.environment import ENV, PromptEnvironment, make_environment
from promptsync.sandbox.limits import (
    DEFAULT_RENDER_SECONDS,
    MAX_OUTPUT_CHARS,
    MAX_TEMPLATE_CHARS,
    MAX_VALUE_CHARS,
    OutputTooLarge,
    RenderTimeout,
    ValueTooLarge,
)
from promptsync.sandbox.outcome import (
    FailureCode,
    Rendered,
    RenderFailure,
    RenderOutcome,
    compile_source,
    failure_of,
    render,
    syntax_failure,
)

__all__ = [
    "DEFAULT_RENDER_SECONDS", "ENV", "MAX_OUTPUT_CHARS", "MAX_TEMPLATE_CHARS", "MAX_VALUE_CHARS",
    "FailureCode", "OutputTooLarge", "PromptEnvironment", "RenderFailure", "RenderOutcome",
    "RenderTimeout", "Rendered", "ValueTooLarge", "collect", "compile_source", "failure_of",
    "make_environment", "render", "render_bounded", "syntax_failure",
]
