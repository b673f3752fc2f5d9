"""Rendering one prompt for a person to read, in the same sandbox as everything else.

A template from a pull request is untrusted: any failure becomes a message, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from sync.model import PromptDoc
from sync.sandbox import ENV, OutputTooLarge, RenderTimeout, render_bounded

PREVIEW_SECONDS = 2.0


@dataclass(frozen=True)
class Rendered:
    """The text, or why there is none."""

    text: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.text is not None


def render(doc: PromptDoc, context: Mapping[str, Any]) -> Rendered:
    try:
        template = ENV.from_string(doc.template)
        return Rendered(render_bounded(template, context, seconds=PREVIEW_SECONDS))
    except TemplateSyntaxError as exc:
        return Rendered(None, f"template syntax error on template line {exc.lineno}: "
                              f"{exc.message}")
    except UndefinedError as exc:
        return Rendered(None, f"{exc.message} (give it a value or a default)")
    except SecurityError as exc:
        return Rendered(None, f"blocked by the sandbox: {exc}")
    except (RenderTimeout, OutputTooLarge) as exc:
        return Rendered(None, str(exc))
    except RecursionError:
        return Rendered(None, "the template calls itself without end")
    except Exception as exc:  # an untrusted template may fail in any way
        return Rendered(None, f"{type(exc).__name__}: {exc}")
