"""Redis key names fixed by DESIGN.md; the daemon writes them and the reader reads them."""

from __future__ import annotations

from sync.model import PromptType

GENERATION_KEY = "promptsync:gen"
EVENTS_CHANNEL = "promptsync:events"
PROMPT_KEY_PREFIX = "promptsync:prompt:"
PROMPT_TTL_SECONDS = 3600


def prompt_key(brand: str, type_: PromptType) -> str:
    """`promptsync:prompt:acme:greeting`: the resolved prompt a reader gets for (brand, type)."""
    return f"{PROMPT_KEY_PREFIX}{brand}:{type_.slug}"
