"""The delivery worker on a real database and real HTTP receivers: in order per receiver, the
next attempt kept in the database, one daemon delivering to a URL at a time, a new receiver not
replayed the history, an event given up only after two days, and listed then."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from promptsync.cli.main import main
from promptsync.notify.sender import Receiver
from promptsync.notify.worker import Notifier
from promptsync.store import outbox
from promptsync.store.engine import make_engine
from promptsync.store.migrate import upgrade
from tests.daemon.helpers import execute, query
from tests.support.receiver import Receiver as HttpReceiver
from tests.support.servers import free_port

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    made = make_engine(sqlite_url)
    upgrade(made)
    yield made
    made.dispose()


def write(engine: Engine, *kinds: str) -> list[str]:
    with engine.begin() as conn:
        return [outbox.add(conn, outbox.Event(kind, {"n": n})) for n, kind in enumerate(kinds)]


def test_a_receiver_gets_the_events_in_order_the_failed_one_first(engine: Engine) -> None:
    with HttpReceiver(statuses=(500,)) as http:
        notifier = Notifier(engine, [Receiver(http.url)], "s")
        notifier.register()
        ids = write(engine, "published", "rejected")
        delay = notifier.deliver()
        assert 0 < delay <= 1  # the first backoff: the next attempt, kept in the database
        (receiver,) = outbox.receivers(engine)
        assert receiver.next is not None and receiver.next.event_id == ids[0]
        assert receiver.next.attempts == 1 and receiver.last_error == \
            "HTTP 500 Internal Server Error"
        assert notifier.deliver() > 0  # not due yet: nothing sent
        assert len(http.requests) == 1
        execute(str(engine.url), "UPDATE notification_receivers SET next_attempt_at = NULL")
        notifier.deliver()
    sent = [(r.headers["X-Promptsync-Delivery"], r.answered) for r in http.requests]
    assert sent == [(ids[0], 500), (ids[0], 204), (ids[1], 204)]
    (receiver,) = outbox.receivers(engine)
    assert (receiver.pending, receiver.delivered, receiver.next) == (0, 2, None)
    rows = query(str(engine.url), "SELECT attempts, status FROM notification_deliveries "
                 "ORDER BY notification_id")
    assert rows == [{"attempts": 2, "status": "delivered"}, {"attempts": 1,
                                                              "status": "delivered"}]


def test_one_daemon_delivers_to_a_url_at_a_time(engine: Engine) -> None:
    with HttpReceiver() as http:
        first, second = (Notifier(engine, [Receiver(http.url)], None) for _ in range(2))
        first.register()
        second.register()
        write(engine, "published")
        assert outbox.claim(engine, Receiver(http.url).id, first.owner, 60)
        second.deliver()
        assert http.requests == []  # the first holds the receiver
        first.release()
        second.deliver()
        first.deliver()
    assert len(http.requests) == 1


def test_a_new_receiver_starts_after_the_history(engine: Engine) -> None:
    write(engine, "published", "published")
    with HttpReceiver() as http:
        notifier = Notifier(engine, [Receiver(http.url)], None)
        notifier.register()
        notifier.deliver()
        assert http.requests == []
        (later,) = write(engine, "rejected")
        notifier.deliver()
    assert [r.headers["X-Promptsync-Delivery"] for r in http.requests] == [later]


def test_an_event_is_given_up_only_after_two_days_and_then_listed(
        engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    dead = Receiver(f"http://127.0.0.1:{free_port()}/hook")
    notifier = Notifier(engine, [dead], None)
    notifier.register()
    old, new = write(engine, "published", "rejected")
    notifier.deliver()
    (receiver,) = outbox.receivers(engine)
    assert receiver.next is not None and receiver.next.event_id == old  # retried, not dropped
    assert main(["notifications", "--db", str(engine.url)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{dead.shown}  0 delivered, 2 pending; next: published {old} of ")
    assert "1 failed attempts, next attempt in " in out and "ConnectionRefusedError" in out
    two_days_ago = datetime.now(UTC) - timedelta(days=2, minutes=1)
    execute(str(engine.url), "UPDATE notifications SET created_at = :at WHERE event_id = :id",
            at=two_days_ago, id=old)
    execute(str(engine.url), "UPDATE notification_receivers SET next_attempt_at = NULL")
    notifier.deliver()
    (receiver,) = outbox.receivers(engine)
    assert receiver.next is not None and receiver.next.event_id == new
    (gave_up,) = outbox.given_up(engine)
    assert (gave_up.event_id, gave_up.attempts) == (old, 2)
    assert main(["notifications", "--db", str(engine.url), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["given_up"][0]["id"] == old and listed["receivers"][0]["pending"] == 1
    notifier.stop()


def test_what_every_receiver_is_done_with_is_forgotten_after_a_month(engine: Engine) -> None:
    dead = Receiver(f"http://127.0.0.1:{free_port()}/down")
    with HttpReceiver() as http:
        notifier = Notifier(engine, [Receiver(http.url), dead], None)
        notifier.register()
        _old, recent = write(engine, "published", "published")
        notifier.deliver()
    assert len(http.requests) == 2
    month_ago = datetime.now(UTC) - timedelta(days=31)
    execute(str(engine.url), "UPDATE notifications SET created_at = :at", at=month_ago)
    cutoff = datetime.now(UTC) - timedelta(days=30)
    assert outbox.prune(engine, cutoff) == 0  # the dead receiver still owes both
    execute(str(engine.url), "DELETE FROM notification_receivers WHERE id = :id", id=dead.id)
    execute(str(engine.url), "UPDATE notifications SET created_at = :at WHERE event_id = :id",
            at=datetime.now(UTC), id=recent)
    assert outbox.prune(engine, cutoff) == 1
    assert [r["event_id"] for r in query(str(engine.url), "SELECT event_id FROM "
                                         "notifications")] == [recent]
    assert len(query(str(engine.url), "SELECT id FROM notification_deliveries")) == 1


def test_notifications_reads_a_database_an_older_daemon_keeps(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from alembic import command

    from promptsync.store.migrate import alembic_config

    older = make_engine(sqlite_url)
    try:
        command.upgrade(alembic_config(older), "0003")  # before the outbox
    finally:
        older.dispose()
    assert main(["notifications", "--db", sqlite_url]) == 0
    assert capsys.readouterr().out == ("no receivers: the daemon notifies none (0 events in the "
                                       "outbox); start it with --notify URL or "
                                       "PROMPTSYNC_NOTIFY_URLS\n")
