"""The Redis protocol shared by the daemon (writer) and the reader: key names, the entry and the
event encodings, and the generation rule. Nothing else in the project spells a key or parses an
entry or an event; tests/cache/test_protocol.py round-trips each.

- An entry at `prompt_key(brand, type[, locale])` is the JSON of the *resolved* prompt for
  (brand, type) asked in that locale (so it may hold brand `default`'s prompt, or another
  locale's: promptsync.core.resolution): ``{"brand": answering brand, "type": "GREETING", "locale":
  answering locale ("" the base text), "language": the text's language, "version", "template",
  "variables", "commit", "generation"}``, written with TTL 3600 s. The key of a read without a
  locale has no suffix (`promptsync:prompt:acme:greeting`), with one the canonical tag
  (`promptsync:prompt:acme:greeting:de-CH`).
- `generation` in an entry is the `sync_state.generation` read in the same database statement
  as the row, never a number read from Redis.
- The daemon, after its database transaction for generation N commits: raises
  `promptsync:gen` to N (never lowers it, `RAISE_GENERATION`), deletes the keys of the changed
  ids (every locale's key of the brand and type; for a change to brand `default`, every brand's
  keys of that type), publishes the event
  ``{"commit", "generation", "changed": [ids]}`` on `promptsync:events`, and only then raises
  `promptsync:published` to N. A daemon killed in between leaves `published` behind `gen`; the
  next cycle sees it and publishes again everything changed since `published`.
- A Redis generation above the database's (a restored database, or another database pointed at
  an old Redis) is wrong: the daemon deletes every `promptsync:prompt:*` key, sets `gen` and
  `published` to the database's generation (`RESET_GENERATION`, the one way down), and publishes
  an event with ``"reset": true`` naming every prompt the database knows: readers drop
  everything and take its generation, lower than the one they saw, as the current one.
- A reader treats an entry as a hit only when `is_current(entry generation, promptsync:gen)`,
  both read in one round trip (MGET); an older stamp is a miss. With `promptsync:gen` absent
  (Redis restarted), entries are misses until the daemon repairs the key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from promptsync.model import DEFAULT_BRAND, PromptId, PromptType
from promptsync.record import Prompt, freeze_variables

GENERATION_KEY = "promptsync:gen"
# The last generation whose event was published (the daemon's own bookkeeping).
PUBLISHED_KEY = "promptsync:published"
EVENTS_CHANNEL = "promptsync:events"
PROMPT_KEY_PREFIX = "promptsync:prompt:"
PROMPT_TTL_SECONDS = 3600

# Raise the generation (or `published`), never lower it: a slow daemon must not undo a faster one.
RAISE_GENERATION = """
local current = tonumber(redis.call('GET', KEYS[1])) or -1
local wanted = tonumber(ARGV[1])
if wanted > current then redis.call('SET', KEYS[1], ARGV[1]) return wanted end
return current
"""


# The one way down: set both keys to the database's generation, unless `gen` moved since it was
# read (another daemon got there first; the next cycle looks again). 1 when it did.
RESET_GENERATION = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""


def prompt_key(brand: str, type_: PromptType, locale: str = "") -> str:
    """`promptsync:prompt:acme:greeting[:de-CH]`: the resolved prompt a reader gets for (brand,
    type), asked without a locale or in `locale` (canonical)."""
    if locale:
        return f"{PROMPT_KEY_PREFIX}{brand}:{type_.slug}:{locale}"
    return f"{PROMPT_KEY_PREFIX}{brand}:{type_.slug}"


def parse_prompt_key(key: str) -> tuple[str, str, str] | None:
    """(brand, type slug, locale) of a prompt key; None for any other key."""
    if not key.startswith(PROMPT_KEY_PREFIX):
        return None
    parts = key[len(PROMPT_KEY_PREFIX):].split(":")
    if len(parts) == 2:
        return parts[0], parts[1], ""
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return None


def reach_pattern(pid: PromptId) -> str:
    """SCAN pattern of the keys whose answer `pid` may give besides the base key: the brand's
    keys of the type asked in a locale; for brand `default`, every brand's keys of the type (no
    type's slug begins another's, and a brand holds no ':')."""
    if pid.brand == DEFAULT_BRAND:
        return f"{PROMPT_KEY_PREFIX}*:{pid.type.slug}*"
    return f"{PROMPT_KEY_PREFIX}{pid.brand}:{pid.type.slug}:*"


def all_prompts_pattern() -> str:
    """SCAN pattern of every prompt entry (a rebuild drops them all)."""
    return f"{PROMPT_KEY_PREFIX}*"


def is_current(entry_generation: int, redis_generation: int | None) -> bool:
    """Whether an entry may answer: Redis knows its generation and the entry is not older."""
    return redis_generation is not None and entry_generation >= redis_generation


def encode_entry(prompt: Prompt) -> str:
    """The Redis entry for a prompt read from the database."""
    return json.dumps({
        "brand": prompt.brand, "type": prompt.type.value, "locale": prompt.locale,
        "language": prompt.language, "version": prompt.version,
        "template": prompt.template, "commit": prompt.commit, "generation": prompt.generation,
        "variables": {k: dict(v) for k, v in prompt.variables.items()},
    }, separators=(",", ":"))


def decode_entry(raw: bytes | str, type_: PromptType) -> Prompt:
    """An entry as a Prompt with source "redis"; ValueError when it is damaged."""
    try:
        data: dict[str, Any] = json.loads(raw)
        # An entry from before locales has neither key: it is a base text of unknown language.
        return Prompt(str(data["brand"]), type_, str(data["template"]), int(data["version"]),
                      str(data["commit"]), "redis", freeze_variables(data.get("variables")),
                      int(data["generation"]), str(data.get("locale", "")),
                      str(data.get("language", "")))
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ValueError(f"damaged cache entry: {type(exc).__name__}") from None


@dataclass(frozen=True)
class Event:
    """What the daemon announces after applying a commit: the prompts whose answers changed.
    `reset`: Redis was rebuilt from the database; drop everything, `generation` may be lower
    than any seen before."""

    commit: str
    generation: int
    changed: tuple[PromptId, ...]
    reset: bool = False


def encode_event(commit: str, generation: int, changed: Iterable[PromptId],
                 reset: bool = False) -> str:
    ids = sorted(set(changed))
    data: dict[str, Any] = {"commit": commit, "generation": generation,
                            "changed": [str(i) for i in ids]}
    if reset:
        data["reset"] = True
    return json.dumps(data)


def decode_event(payload: bytes | str) -> Event:
    """The event; ValueError when it is not one (a reader then forgets everything)."""
    try:
        data: dict[str, Any] = json.loads(payload)
        return Event(str(data["commit"]), int(data["generation"]),
                     tuple(PromptId.parse(str(i)) for i in data["changed"]),
                     data.get("reset") is True)
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a promptsync event: {type(exc).__name__}") from None
