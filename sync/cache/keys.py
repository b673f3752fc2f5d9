"""Redis key names and the cache protocol shared by the daemon (writer) and the reader.

Protocol (it closes the cache-aside race of DESIGN.md):

- An entry at `prompt_key(brand, type)` is the JSON of the *resolved* prompt for (brand, type)
  (so it may hold brand `default`'s prompt): ``{"brand": answering brand, "type": "GREETING",
  "version", "template", "variables", "commit", "generation"}``, written with TTL 3600 s.
- `generation` in an entry is the `sync_state.generation` read in the same database transaction
  as the row, never a number read from Redis.
- The daemon, after its database transaction for generation N commits: raises
  `promptsync:gen` to N (never lowers it), deletes the keys of the changed ids (for a change to
  brand `default`, every brand's key of that type), then publishes the event.
- A reader treats an entry as a hit only when its generation >= the value of `promptsync:gen`
  (read in the same round trip, e.g. MGET); an older stamp is a miss. With `promptsync:gen`
  absent (Redis restarted), entries are misses until the daemon repairs the key.
"""

from __future__ import annotations

from promptsync.model import PromptType

GENERATION_KEY = "promptsync:gen"
EVENTS_CHANNEL = "promptsync:events"
PROMPT_KEY_PREFIX = "promptsync:prompt:"
PROMPT_TTL_SECONDS = 3600


def prompt_key(brand: str, type_: PromptType) -> str:
    """`promptsync:prompt:acme:greeting`: the resolved prompt a reader gets for (brand, type)."""
    return f"{PROMPT_KEY_PREFIX}{brand}:{type_.slug}"


def type_pattern(type_: PromptType) -> str:
    """SCAN pattern of every brand's key for one type (a change to brand `default`)."""
    return f"{PROMPT_KEY_PREFIX}*:{type_.slug}"
