"""Choosing and showing history entries: the filters of `promptsync history` and its two formats."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from promptsync.gitio import short
from promptsync.history.log import Change
from promptsync.model import PromptId, PromptType


@dataclass(frozen=True)
class HistoryFilter:
    """What to keep; every field left empty keeps everything."""

    prompt: PromptId | None = None
    brand: str | None = None
    type: PromptType | None = None
    author: str | None = None  # a part of the name or e-mail, any case
    since: datetime | None = None
    until: datetime | None = None
    locale: str | None = None  # a canonical tag: only that translation's changes

    def matches(self, change: Change) -> bool:
        ids = {change.prompt, change.previous_id} - {None}
        return ((self.prompt is None or self.prompt in ids)
                and (self.brand is None or any(i.brand == self.brand for i in ids if i))
                and (self.type is None or change.prompt.type is self.type)
                and (self.locale is None or change.prompt.locale == self.locale)
                and (self.author is None or self.author.lower() in
                     f"{change.author_name} <{change.author_email}>".lower())
                and (self.since is None or change.date >= self.since)
                and (self.until is None or change.date <= self.until))

    def apply(self, changes: Sequence[Change]) -> list[Change]:
        return [c for c in changes if self.matches(c)]


def parse_when(text: str, *, end_of_day: bool = False) -> datetime:
    """`2026-11-24` or `2026-11-24T18:00[+02:00]`; a date alone means its start (or end), UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-11-24 or 2026-11-24T18:00") from None
    if end_of_day and len(text) <= 10:
        value = value.replace(hour=23, minute=59, second=59)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _version(before: int | None, after: int | None) -> str:
    return f"v{before if before is not None else '-'} → v{after if after is not None else '-'}"


def _what(change: Change) -> str:
    if change.previous_id is not None:
        return f"{change.prompt} (was {change.previous_id})"
    if change.restores:
        return f"{change.prompt} (restores {short(change.restores)})"
    return str(change.prompt)


def _live(change: Change) -> str:
    return f"live {change.live_at:%Y-%m-%d %H:%M}" if change.live_at else "not live"


def text(changes: Sequence[Change], out: TextIO, *, with_live: bool = False) -> None:
    if not changes:
        print("no changes match", file=out)
    for c in changes:
        live = f"  {_live(c)}" if with_live else ""
        print(f"{c.date:%Y-%m-%d %H:%M}  {short(c.commit)}  {c.action:<8}  {_what(c)}  "
              f"{_version(c.version_before, c.version_after)}  "
              f"{c.author_name} <{c.author_email}>{live}  {c.subject}{_variants(c)}", file=out)


def _variants(change: Change) -> str:
    return f"  [variants: {', '.join(change.variants)}]" if change.variants else ""


def as_dict(change: Change, with_live: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "commit": change.commit, "date": change.date.isoformat(), "action": change.action,
        "prompt": str(change.prompt), "locale": change.prompt.locale,
        "previous_id": str(change.previous_id) if change.previous_id else None,
        "version_before": change.version_before, "version_after": change.version_after,
        "author_name": change.author_name, "author_email": change.author_email,
        "subject": change.subject, "restores": change.restores}
    if change.variants:  # only then: a history without variants reads as it did
        data["variants"] = list(change.variants)
    if with_live:
        data["live_at"] = change.live_at.isoformat() if change.live_at else None
    return data


def json_(changes: Sequence[Change], out: TextIO, *, with_live: bool = False) -> None:
    json.dump([as_dict(c, with_live) for c in changes], out, indent=2, ensure_ascii=False)
    out.write("\n")


FORMATS: dict[str, Callable[..., None]] = {"text": text, "json": json_}
