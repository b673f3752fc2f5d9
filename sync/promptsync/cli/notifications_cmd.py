"""`promptsync notifications`: per receiver, what is not yet delivered and why; what was given up.

    promptsync notifications [--db URL] [--format text|json]

Read from the outbox (promptsync.store.outbox) that the daemon writes and delivers.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from promptsync import settings
from promptsync.cli.options import add_db, add_format
from promptsync.cli.status_cmd import reading
from promptsync.store import outbox


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("notifications", description=__doc__.splitlines()[0])
    add_db(p)
    add_format(p, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    with reading(settings.resolve_db_url(args.db)) as engine:
        if outbox.exists(engine):
            found = (outbox.receivers(engine), outbox.given_up(engine), outbox.count(engine))
        else:  # a database no daemon of this version has migrated yet
            found = ([], [], 0)
    print(as_json(*found) if args.format == "json" else as_text(*found))
    return 0


def as_json(receivers: list[outbox.ReceiverState], gave_up: list[outbox.GivenUp],
            events: int) -> str:
    return json.dumps({"receivers": [r.as_dict() for r in receivers],
                       "given_up": [g.as_dict() for g in gave_up], "events": events}, indent=2)


def as_text(receivers: list[outbox.ReceiverState], gave_up: list[outbox.GivenUp],
            events: int) -> str:
    if not receivers:
        return (f"no receivers: the daemon notifies none ({events} events in the outbox); "
                "start it with --notify URL or PROMPTSYNC_NOTIFY_URLS")
    lines = [_receiver(r) for r in receivers]
    if gave_up:
        lines += ["", "given up (retried for two days):"]
        lines += [f"  {g.receiver}  {g.event} {g.event_id} of {_when(g.created_at)}: "
                  f"{g.attempts} attempts, last: {g.error}" for g in gave_up]
    return "\n".join(lines)


def _receiver(r: outbox.ReceiverState) -> str:
    head = f"{r.shown}  {r.delivered} delivered, {r.pending} pending"
    nxt = r.next
    if nxt is None:
        return head
    if nxt.attempts == 0:
        return f"{head}; next: {nxt.event} {nxt.event_id} (not tried yet)"
    due = "" if nxt.next_attempt_at is None else f", next attempt {_in(nxt.next_attempt_at)}"
    return (f"{head}; next: {nxt.event} {nxt.event_id} of {_when(nxt.created_at)}, "
            f"{nxt.attempts} failed attempts{due}; last error: {r.last_error}")


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _in(at: datetime) -> str:
    seconds = (at - datetime.now(UTC)).total_seconds()
    return "now" if seconds <= 0 else f"in {seconds:.0f} s"
