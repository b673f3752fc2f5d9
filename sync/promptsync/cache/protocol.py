"""The Redis protocol shared by the daemon (writer) and the reader: key names, the entry and the
event encodings, and the generation rule. Nothing else in the project spells a key or parses an
entry or an event; tests/cache/test_protocol.py round-trips each.

- An entry at `prompt_key(brand, type[, locale])` is the JSON of the *resolved* prompt for
  (brand, type) asked in that locale (so it may hold brand `default`'s prompt, or another
  locale's: promptsync.core.resolution): ``{"brand": answering brand, "type": "GREETING", "locale":
  answering locale ("" the base text), "language": the text's language, "version", "template",
  "variables", "commit", "generation"}`` and, for a prompt with variants, `"variants": [{"name",
  "weight", "template", "description"}]`, written with TTL 3600 s. The key of a read without a
  locale has no suffix (`promptsync:prompt:acme:greeting`), with one the canonical tag
  (`promptsync:prompt:acme:greeting:de-CH`). A reader that writes a locale's entry adds the
  tag, in the same round trip, to the set `asked_key(brand, type)`
  (`promptsync:asked:acme:greeting`), whose TTL it renews: the set outlives every entry it names.
- `generation` in an entry is the `sync_state.generation` read in the same database statement
  as the row, never a number read from Redis.
- The daemon, after its database transaction for generation N commits: raises
  `promptsync:gen` to N (never lowers it, `RAISE_GENERATION`), deletes the keys of the changed
  ids (the base key and the locales' keys its `asked_key` set names, so a commit costs what it
  changes, not what Redis holds; for a change to brand `default`, every brand's keys of that
  type, found by SCAN), publishes the event
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
- The fleet. Raising `promptsync:gen` also stamps `promptsync:last-publish` (a hash: generation,
  commit, `at_ms`) with the Redis server's clock (`STAMP_PUBLISH`). Each reader reports itself
  under `promptsync:readers:{id}` (a hash, `ReaderReport`) every heartbeat, and at once when its
  generation changes, through `REPORT_READER`, which stamps `reported_ms` (and `picked_up_ms`
  when the generation changed) with the same server clock and keeps the key READER_KEEP_MS.
  Every time the fleet compares is so read on one clock, whatever the hosts' clocks say.
  The report's connection is named `promptsync-reader:{id}` (`reader_connection`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from promptsync.model import DEFAULT_BRAND, PromptId, PromptType, id_order
from promptsync.record import Prompt, freeze_variables, freeze_variants

GENERATION_KEY = "promptsync:gen"
# The last raise of `promptsync:gen`: generation, commit, at_ms (Redis server time).
LAST_PUBLISH_KEY = "promptsync:last-publish"
READERS_PREFIX = "promptsync:readers:"
READER_CONNECTION_PREFIX = "promptsync-reader:"
# How long a reader's report outlives its last heartbeat: `promptsync fleet` shows it as gone
# (its lease ran out) for this long, then forgets it.
READER_KEEP_MS = 600_000
# The last generation whose event was published (the daemon's own bookkeeping).
PUBLISHED_KEY = "promptsync:published"
EVENTS_CHANNEL = "promptsync:events"
# "A branch moved: fetch now". API processes without a daemon of their own publish the branch's
# name here after a push they made or a webhook they took; the `sync` daemon listens.
WAKE_CHANNEL = "promptsync:wake"
PROMPT_KEY_PREFIX = "promptsync:prompt:"
ASKED_KEY_PREFIX = "promptsync:asked:"
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


# Raise `promptsync:gen` (KEYS[1]) to ARGV[1] and, when it moved (or ARGV[3] is "force": a
# rebuild set it), stamp KEYS[2] with the generation, the commit ARGV[2] and the server's time.
STAMP_PUBLISH = """
local current = tonumber(redis.call('GET', KEYS[1])) or -1
local wanted = tonumber(ARGV[1])
if wanted > current then redis.call('SET', KEYS[1], ARGV[1]) end
if wanted > current or ARGV[3] == 'force' then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[2], 'generation', ARGV[1], 'commit', ARGV[2],
             'at_ms', string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000)))
end
return math.max(wanted, current)
"""

# A reader's report: KEYS[1] its key; ARGV[1] how long to keep it (ms), ARGV[2] "1" when its
# generation changed since its last report, then field/value pairs. The times are the server's.
REPORT_READER = """
local t = redis.call('TIME')
local now = string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000))
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'picked_up_ms', now) end
redis.call('HSETNX', KEYS[1], 'started_ms', now)
redis.call('HSET', KEYS[1], 'reported_ms', now, unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return now
"""

# The server's time in milliseconds, the one clock of the fleet.
SERVER_MS = """
local t = redis.call('TIME')
return string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000))
"""


def prompt_key(brand: str, type_: PromptType, locale: str = "") -> str:
    """`promptsync:prompt:acme:greeting[:de-CH]`: the resolved prompt a reader gets for (brand,
    type), asked without a locale or in `locale` (canonical)."""
    if locale:
        return f"{PROMPT_KEY_PREFIX}{brand}:{type_.slug}:{locale}"
    return f"{PROMPT_KEY_PREFIX}{brand}:{type_.slug}"


def asked_key(brand: str, type_: PromptType) -> str:
    """`promptsync:asked:acme:greeting`: the set of canonical tags whose entries readers wrote
    for (brand, type), where the daemon finds a change's locale keys without a SCAN."""
    return f"{ASKED_KEY_PREFIX}{brand}:{type_.slug}"


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
    type's slug begins another's, and a brand holds no ':'). The daemon scans only for `default`
    (a brand's locale keys are named by its `asked_key` set)."""
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
    """The Redis entry for a prompt read from the database (`variants` only when it has
    some: the entry of a prompt without is what it was before variants)."""
    data: dict[str, Any] = {
        "brand": prompt.brand, "type": prompt.type.value, "locale": prompt.locale,
        "language": prompt.language, "version": prompt.version,
        "template": prompt.template, "commit": prompt.commit, "generation": prompt.generation,
        "variables": {k: dict(v) for k, v in prompt.variables.items()},
    }
    if prompt.variants:
        data["variants"] = prompt.variants.json()
    return json.dumps(data, separators=(",", ":"))


def decode_entry(raw: bytes | str, type_: PromptType) -> Prompt:
    """An entry as a Prompt with source "redis"; ValueError when it is damaged."""
    try:
        data: dict[str, Any] = json.loads(raw)
        # An entry from before locales has neither key: it is a base text of unknown language.
        return Prompt(str(data["brand"]), type_, str(data["template"]), int(data["version"]),
                      str(data["commit"]), "redis", freeze_variables(data.get("variables")),
                      int(data["generation"]), str(data.get("locale", "")),
                      str(data.get("language", "")), freeze_variants(data.get("variants")))
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
    ids = sorted(set(changed), key=id_order)
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


@dataclass(frozen=True)
class LastPublish:
    """The last raise of the generation: what was published, and when on the server's clock."""

    generation: int
    commit: str
    at_ms: int


def decode_last_publish(raw: dict[bytes, bytes] | None) -> LastPublish | None:
    """The `promptsync:last-publish` hash; None when absent or damaged (a daemon from before)."""
    try:
        return LastPublish(int(raw[b"generation"]), raw[b"commit"].decode(),  # type: ignore[index]
                           int(raw[b"at_ms"]))  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return None


def reader_key(reader_id: str) -> str:
    return f"{READERS_PREFIX}{reader_id}"


def readers_pattern() -> str:
    """SCAN pattern of every reader's report."""
    return f"{READERS_PREFIX}*"


def reader_connection(reader_id: str) -> str:
    """The name of a reader's report connection (CLIENT SETNAME). A stopped process keeps its
    connections open, a dead one's are closed by its kernel: CLIENT LIST tells them apart."""
    return f"{READER_CONNECTION_PREFIX}{reader_id}"


def connected_readers(clients: list[dict[str, Any]]) -> set[str]:
    """The reader ids among CLIENT LIST's connections."""
    names = (str(c.get("name") or "") for c in clients)
    return {n[len(READER_CONNECTION_PREFIX):] for n in names
            if n.startswith(READER_CONNECTION_PREFIX)}


@dataclass(frozen=True)
class ReaderReport:
    """What one reader says of itself. `generation` None: it keeps no memory tier (every read
    goes to Redis or the database, which are never behind). `tiers` maps memory, redis and
    database to ok, down or off. `event_age`: seconds since it last heard an event (None: never).
    The `*_ms` fields are set by the server (REPORT_READER); `picked_up_ms` is when it reported
    its current generation first (None: it started at it)."""

    id: str
    service: str
    host: str
    pid: int
    version: str
    generation: int | None
    commit: str
    tiers: dict[str, str]
    heartbeat: float
    event_age: float | None = None
    closed: bool = False
    reported_ms: int = 0
    started_ms: int = 0
    picked_up_ms: int | None = None


def report_fields(report: ReaderReport) -> list[str]:
    """The field/value pairs REPORT_READER writes (the server's times are its own)."""
    values: dict[str, object] = {
        "id": report.id, "service": report.service, "host": report.host, "pid": report.pid,
        "version": report.version,
        "generation": "" if report.generation is None else report.generation,
        "commit": report.commit, "tiers": json.dumps(report.tiers, sort_keys=True),
        "heartbeat": report.heartbeat,
        "event_age": "" if report.event_age is None else f"{report.event_age:.3f}",
        "closed": "1" if report.closed else "0"}
    return [str(part) for pair in values.items() for part in pair]


def decode_report(raw: dict[bytes, bytes]) -> ReaderReport:
    """A reader's hash as written by REPORT_READER; ValueError when it is not one."""
    try:
        f = {k.decode(): v.decode() for k, v in raw.items()}
        tiers = json.loads(f.get("tiers") or "{}")
        return ReaderReport(
            f["id"], f["service"], f["host"], int(f["pid"]), f.get("version", ""),
            int(f["generation"]) if f.get("generation") else None, f.get("commit", ""),
            {str(k): str(v) for k, v in tiers.items()}, float(f["heartbeat"]),
            float(f["event_age"]) if f.get("event_age") else None, f.get("closed") == "1",
            int(f["reported_ms"]), int(f.get("started_ms") or f["reported_ms"]),
            int(f["picked_up_ms"]) if f.get("picked_up_ms") else None)
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a reader report: {type(exc).__name__}") from None
