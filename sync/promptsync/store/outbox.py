"""The notifications' outbox in SQL: written in the transaction that records what it tells,
read and advanced by the delivery worker (promptsync.notify.worker), listed by
`promptsync notifications`.

Each receiver has a cursor: every notification up to it is done (delivered, or given up after
retrying for days). The next one is the first id above it, so a receiver gets the events in
order, and whatever the worker knew of its attempts (how many, when the next, the last error)
is in its row: a daemon that restarts carries on where the last one stopped.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from promptsync.store.models import (
    NotificationDeliveryRow,
    NotificationReceiverRow,
    NotificationRow,
    as_utc,
)

N = NotificationRow
R = NotificationReceiverRow
D = NotificationDeliveryRow


@dataclass(frozen=True)
class Event:
    """What to tell: its kind (`published`, `rejected`, `failed`, `fleet-stale`) and body."""

    event: str
    body: dict[str, Any]
    dedupe: str | None = None


def add(conn: Connection, event: Event, now: datetime | None = None) -> str:
    """Write `event` in the caller's transaction; its id (stable across every attempt)."""
    now = now or datetime.now(UTC)
    event_id = str(uuid.uuid4())
    body = {"id": event_id, "event": event.event, "created_at": now.isoformat(), **event.body}
    conn.execute(insert(N).values(event_id=event_id, event=event.event, dedupe=event.dedupe,
                                  body=json.dumps(body, sort_keys=True), created_at=now))
    return event_id


def add_once(engine: Engine, event: Event) -> str | None:
    """Write an event with a dedupe key unless one with that key exists (another daemon wrote
    it): its id, or None."""
    try:
        with engine.begin() as conn:
            if conn.execute(select(N.id).where(N.dedupe == event.dedupe)).first() is not None:
                return None
            return add(conn, event)
    except IntegrityError:  # written by another daemon between the look and the insert
        return None


def register(engine: Engine, receivers: Iterable[tuple[str, str]]) -> None:
    """Add the (id, shown) receivers not yet known; a new one starts after the newest event,
    so adding a URL never replays the history to it."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        known = set(conn.execute(select(R.id)).scalars())
        newest = conn.execute(select(func.max(N.id))).scalar() or 0
        for key, shown in receivers:
            if key not in known:
                conn.execute(insert(R).values(id=key, shown=shown, cursor=newest, attempts=0,
                                              added_at=now))
            else:
                conn.execute(update(R).where(R.id == key).values(shown=shown))


def claim(engine: Engine, receiver: str, owner: str, seconds: float) -> bool:
    """Hold `receiver` for `seconds` (renewed by the holder), unless another owner holds it."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        done = conn.execute(update(R).where(
            R.id == receiver,
            or_(R.lease_owner.is_(None), R.lease_owner == owner, R.lease_until < now))
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=seconds)))
    return bool(done.rowcount == 1)


def release(engine: Engine, receiver: str, owner: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(R).where(R.id == receiver, R.lease_owner == owner)
                     .values(lease_owner=None, lease_until=None))


@dataclass(frozen=True)
class Pending:
    """A receiver's next notification and what its attempts so far left."""

    id: int
    event_id: str
    event: str
    body: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None


def head(engine: Engine, receiver: str) -> Pending | None:
    """The receiver's next notification, or None when it is up to date."""
    query = (select(N.id, N.event_id, N.event, N.body, N.created_at, R.attempts,
                    R.next_attempt_at)
             .join(R, and_(R.id == receiver, N.id > R.cursor)).order_by(N.id).limit(1))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return Pending(row.id, row.event_id, row.event, row.body, as_utc(row.created_at),
                   row.attempts, None if row.next_attempt_at is None
                   else as_utc(row.next_attempt_at))


def finished(engine: Engine, receiver: str, pending: Pending, status: str,
             error: str | None = None) -> None:
    """`receiver` is done with `pending` (delivered, or failed: given up): move its cursor."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        moved = conn.execute(update(R).where(R.id == receiver, R.cursor < pending.id).values(
            cursor=pending.id, attempts=0, next_attempt_at=None, last_error=error,
            last_attempt_at=now))
        if moved.rowcount == 1:  # not done twice (two daemons, one lease that ran out)
            conn.execute(insert(D).values(notification_id=pending.id, receiver=receiver,
                                          status=status, attempts=pending.attempts + 1,
                                          error=error, finished_at=now))


def retry_later(engine: Engine, receiver: str, pending: Pending, error: str,
                at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(R).where(R.id == receiver, R.cursor < pending.id).values(
            attempts=pending.attempts + 1, next_attempt_at=at, last_error=error,
            last_attempt_at=datetime.now(UTC)))


def prune(engine: Engine, older_than: datetime) -> int:
    """Forget notifications every receiver is done with, written before `older_than`."""
    with engine.begin() as conn:
        done = conn.execute(select(func.min(R.cursor))).scalar()
        if done is None:
            return 0
        old = select(N.id).where(N.id <= done, N.created_at < older_than)
        conn.execute(delete(D).where(D.notification_id.in_(old)))
        return int(conn.execute(delete(N).where(N.id.in_(old))).rowcount)


@dataclass(frozen=True)
class ReceiverState:
    """What `promptsync notifications` shows of one receiver."""

    id: str
    shown: str
    pending: int
    delivered: int
    next: Pending | None
    last_error: str | None
    last_attempt_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        nxt = self.next
        return {"receiver": self.shown, "id": self.id, "pending": self.pending,
                "delivered": self.delivered, "last_error": self.last_error,
                "last_attempt_at": _iso(self.last_attempt_at),
                "next": None if nxt is None else {
                    "id": nxt.event_id, "event": nxt.event, "created_at": _iso(nxt.created_at),
                    "attempts": nxt.attempts, "next_attempt_at": _iso(nxt.next_attempt_at)}}


@dataclass(frozen=True)
class GivenUp:
    receiver: str
    event_id: str
    event: str
    created_at: datetime
    attempts: int
    error: str | None
    finished_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"receiver": self.receiver, "id": self.event_id, "event": self.event,
                "created_at": _iso(self.created_at), "attempts": self.attempts,
                "error": self.error, "given_up_at": _iso(self.finished_at)}


def _iso(when: datetime | None) -> str | None:
    return None if when is None else as_utc(when).isoformat()


def receivers(engine: Engine) -> list[ReceiverState]:
    with engine.connect() as conn:
        rows = conn.execute(select(R.id, R.shown, R.cursor, R.last_error, R.last_attempt_at)
                            .order_by(R.added_at, R.id)).all()
        counts = {r.id: _counts(conn, r) for r in rows}
    return [ReceiverState(r.id, r.shown, *counts[r.id], head(engine, r.id), r.last_error,
                          None if r.last_attempt_at is None else as_utc(r.last_attempt_at))
            for r in rows]


def _counts(conn: Connection, receiver: Any) -> tuple[int, int]:
    pending = conn.execute(select(func.count()).select_from(N)
                           .where(N.id > receiver.cursor)).scalar() or 0
    delivered = conn.execute(select(func.count()).select_from(D).where(
        D.receiver == receiver.id, D.status == "delivered")).scalar() or 0
    return int(pending), int(delivered)


def given_up(engine: Engine, limit: int = 50) -> list[GivenUp]:
    """The latest deliveries given up, newest first."""
    query = (select(R.shown, N.event_id, N.event, N.created_at, D.attempts, D.error,
                    D.finished_at)
             .join(N, N.id == D.notification_id).join(R, R.id == D.receiver)
             .where(D.status == "failed").order_by(D.id.desc()).limit(limit))
    with engine.connect() as conn:
        return [GivenUp(r.shown, r.event_id, r.event, as_utc(r.created_at), r.attempts,
                        r.error, as_utc(r.finished_at)) for r in conn.execute(query)]


def exists(engine: Engine) -> bool:
    """Whether the database has the outbox (a daemon of this version migrated it)."""
    return bool(inspect(engine).has_table(N.__tablename__))


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(N)).scalar() or 0)
