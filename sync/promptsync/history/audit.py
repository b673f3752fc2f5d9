"""The audit log as the API serves it: the history of the target branch from git, with the
time each change went live (sync_runs), filtered, newest first, a page at a time.

A cursor names the last entry of the page it ends (commit and prompt), not an offset, so
commits that land between two requests do not shift the next page; it is opaque to clients.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from promptsync.errors import UnreachableError
from promptsync.gitio.repo import GitRepository
from promptsync.history import golive
from promptsync.history.log import Change, read_history, with_live_times
from promptsync.history.view import HistoryFilter
from promptsync.lru import LRU
from promptsync.store import state
from promptsync.store.engine import first_line

MAX_LIMIT = 500
ACTIONS = ("create", "update", "delete", "rename", "rollback")


class BadCursor(ValueError):
    """A cursor this server did not hand out (or for an entry no longer in the history)."""


@dataclass(frozen=True)
class AuditQuery:
    """What to list: `where` (brand, type, author, since, until), an action, a locale ("" for
    base texts only, None for all), and the page."""

    where: HistoryFilter = field(default_factory=HistoryFilter)
    action: str | None = None
    locale: str | None = None
    limit: int = 50
    cursor: str | None = None

    def matches(self, change: Change) -> bool:
        return (self.where.matches(change)
                and (self.action is None or change.action == self.action)
                and (self.locale is None or change.prompt.locale == self.locale))


@dataclass(frozen=True)
class AuditPage:
    entries: list[Change]
    next_cursor: str | None


def cursor_of(change: Change) -> str:
    raw = f"{change.commit}:{change.prompt}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(changes: list[Change], cursor: str) -> int:
    """The index just after the entry `cursor` names."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(f"cursor {cursor!r} was not made by this server") from None
    for index, change in enumerate(changes):
        if f"{change.commit}:{change.prompt}" == raw:
            return index + 1
    raise BadCursor(f"cursor {cursor!r} names no entry of this history (hint: start again "
                    "without a cursor)")


def page(changes: list[Change], query: AuditQuery) -> AuditPage:
    """The entries of `changes` (newest first) after the query's cursor that match it."""
    start = _position(changes, query.cursor) if query.cursor else 0
    limit = max(1, min(query.limit, MAX_LIMIT))
    found: list[Change] = []
    more = False
    for change in changes[start:]:
        if not query.matches(change):
            continue
        if len(found) == limit:
            more = True
            break
        found.append(change)
    return AuditPage(found, cursor_of(found[-1]) if more else None)


class AuditLog:
    """Reads the audit log of the repository at `path` on `ref`. The history of a commit never
    changes, so it is kept per commit of the ref; the live times are read each time (a sync
    may have published since)."""

    def __init__(self, path: Path, ref: str, engine: Engine | None) -> None:
        self.path, self.ref, self.engine = path, ref, engine
        self._histories: LRU[str, list[Change]] = LRU(8)

    def read(self, query: AuditQuery) -> AuditPage:
        """One page; open and close the repository on the calling thread."""
        with GitRepository(self.path) as repo:
            head = repo.resolve(self.ref)
            changes = self._histories.get(head)
            if changes is None:
                changes = read_history(repo, head)
                self._histories.put(head, changes)
            found = page(changes, query)
            if self.engine is None or not found.entries:
                return found
            live = golive.live_times(repo, self._runs(self.engine))
        return AuditPage(with_live_times(found.entries, live), found.next_cursor)

    def _runs(self, engine: Engine) -> list[tuple[str, datetime]]:
        try:
            return state.applied_runs(engine)
        except SQLAlchemyError as exc:
            raise UnreachableError(f"could not read sync_runs: {first_line(exc)}") from None
