"""The built-in prompts: the last tier, shipped inside the package as ordinary prompt files.

`<type>.yaml` here has the format of `prompts/<brand>/<type>.yaml` and passes the same
validator (see tests/reader/test_defaults.py). They are used only when neither the brand nor
brand `default` has the prompt in the database, or nothing can be reached; `SAFE_TEXT` is what
a chat gets if even a built-in template cannot be rendered.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from promptsync.model import DEFAULT_BRAND, PromptType
from promptsync.record import BUILTIN_COMMIT, Prompt, freeze_variables

# The built-in texts are written in English: asked in English they are no language fallback.
BUILTIN_LANGUAGE = "en"
SAFE_TEXT: MappingProxyType[PromptType, str] = MappingProxyType({
    PromptType.SYSTEM_PROMPT: "You are a helpful, polite customer support assistant.",
    PromptType.GREETING: "Hello! How can I help you today?",
    PromptType.FAREWELL: "Thank you for chatting with us. Goodbye!",
    PromptType.REJECTION: "Sorry, I can't help with that request.",
    PromptType.CLARIFICATION: "Could you tell me a bit more about what you need?",
    PromptType.HANDOFF: "I'm connecting you with a member of our support team now.",
})


def file_name(type_: PromptType) -> str:
    return f"{type_.slug}.yaml"


def read_text(type_: PromptType) -> str:
    """The YAML text of the built-in prompt for a type."""
    return resources.files(__name__).joinpath(file_name(type_)).read_text(encoding="utf-8")


@cache
def builtin(type_: PromptType) -> Prompt:
    """The built-in prompt of a type: brand `default`, commit "builtin", source "fallback"."""
    data: dict[str, Any] = yaml.safe_load(read_text(type_))
    return Prompt(DEFAULT_BRAND, type_, str(data["template"]), int(data["version"]),
                  BUILTIN_COMMIT, "fallback", freeze_variables(data.get("variables")), 0,
                  "", BUILTIN_LANGUAGE)
