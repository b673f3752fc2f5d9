"""What each notification says: `published`, `rejected`, `failed`, `fleet-stale`, as the JSON
body a receiver gets (the outbox adds `id`, `event` and `created_at`, the sender `sent_at`), and
the same as a Slack message for Slack's incoming webhooks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from promptsync.fleet.view import Fleet
from promptsync.model import PromptId, id_order
from promptsync.store.outbox import Event
from promptsync.validate.finding import Finding

MAX_LISTED = 20  # prompts or findings a Slack message names before "and N more"


def published(commit: str, from_commit: str | None, generation: int, author: str,
              message: str, changed: Iterable[tuple[PromptId, int, str]],
              live_at: datetime) -> Event:
    """A commit went live: `changed` holds (id, version, action) of each prompt it changed."""
    return Event("published", {
        "commit": commit, "from_commit": from_commit, "generation": generation,
        "author": author, "message": message.rstrip(), "live_at": live_at.isoformat(),
        "changed": [{"id": str(pid), "brand": pid.brand, "type": pid.type.value,
                     "locale": pid.locale, "version": version, "action": action}
                    for pid, version, action in sorted(changed, key=_change_order)]})


def rejected(commit: str, from_commit: str | None, findings: Sequence[Finding],
             reason: str) -> Event:
    """The gate refused a commit; `findings` point at file, line and column (`reason` is the
    whole text, which also says what has no place in a file, e.g. an emptied tree)."""
    return Event("rejected", {
        "commit": commit, "from_commit": from_commit, "reason": reason,
        "findings": [{"file": f.path, "line": f.line, "column": f.column, "code": f.code,
                      "severity": f.severity.value, "message": f.message, "text": f.as_text()}
                     for f in findings]})


def failed(commit: str, from_commit: str | None, reason: str) -> Event:
    """The database refused a valid commit (retried later)."""
    return Event("failed", {"commit": commit, "from_commit": from_commit, "reason": reason})


def fleet_stale(fleet: Fleet) -> Event:
    """Readers still behind (or silent) past the grace after a publish; one per generation."""
    p = fleet.published
    return Event("fleet-stale", {
        "generation": p.generation, "commit": p.commit, "grace_seconds": fleet.grace,
        "summary": fleet.summary(), "readers": [r.as_dict() for r in fleet.stale]},
        dedupe=f"fleet-stale:{p.generation}")


def slack(body: dict[str, Any]) -> dict[str, Any]:
    """The Slack incoming-webhook message for an event body."""
    return {"text": SLACK_TEXT.get(body.get("event", ""), _other)(body)}


def _published(b: dict[str, Any]) -> str:
    changed = [f"`{c['id']}` v{c['version']} ({c['action']})" for c in b.get("changed", [])]
    subject = (b.get("message") or "").splitlines()[0] if b.get("message") else ""
    return (f":white_check_mark: promptsync published `{_short(b.get('commit'))}` (generation "
            f"{b.get('generation')}) by {b.get('author')}: {subject}\n" + _listed(changed))


def _rejected(b: dict[str, Any]) -> str:
    lines = [f["text"].splitlines()[0] for f in b.get("findings", [])] or \
        (b.get("reason") or "").splitlines()
    return (f":x: promptsync rejected `{_short(b.get('commit'))}`; the database keeps "
            f"`{_short(b.get('from_commit'))}`\n" + _listed(lines))


def _failed(b: dict[str, Any]) -> str:
    return (f":warning: promptsync could not publish `{_short(b.get('commit'))}`: "
            f"{b.get('reason')} (retried later)")


def _fleet_stale(b: dict[str, Any]) -> str:
    readers = [f"{r['service']} on {r['host']} pid {r['pid']}: {r['why']}"
               for r in b.get("readers", [])]
    return (f":hourglass: promptsync fleet not converged on `{_short(b.get('commit'))}` "
            f"(generation {b.get('generation')}): {b.get('summary')}\n" + _listed(readers))


def _other(b: dict[str, Any]) -> str:
    return f"promptsync {b.get('event')}: {b.get('id')}"


def _listed(items: list[str]) -> str:
    shown = [f"• {item}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(f"… and {len(items) - MAX_LISTED} more")
    return "\n".join(shown)


def _short(sha: object) -> str:
    return str(sha)[:7] if sha else "(none)"


SLACK_TEXT: dict[str, Callable[[dict[str, Any]], str]] = {
    "published": _published, "rejected": _rejected, "failed": _failed,
    "fleet-stale": _fleet_stale}


def _change_order(change: tuple[PromptId, int, str]) -> tuple[object, ...]:
    """(id, version, action) in the tuples' own order, the id by its key (100,000 at a first
    load: comparing the ids themselves cost more than the rest of the event)."""
    return (*id_order(change[0]), change[1], change[2])
