"""The fleet's verdicts: what makes a reader synced, syncing, stale or gone, the summary line and
the convergence; then the same read from a real Redis that real readers report to."""

from __future__ import annotations

import os

import pytest
import redis

from promptsync.cache.client import connect
from promptsync.cache.protocol import (
    READER_KEEP_MS,
    REPORT_READER,
    ReaderReport,
    reader_connection,
    reader_key,
)
from promptsync.cache.protocol import report_fields as fields_of
from promptsync.errors import UsageError
from promptsync.fleet.view import (
    Fleet,
    Published,
    judge,
    lease,
    read,
    resolve_grace,
    silent_after,
)
from tests.reader.conftest import wait_subscribed, wait_until
from tests.support.publisher import Publisher

NOW = 1_800_000_000_000
PUBLISHED = Published(12, "3f2a1c9" + "0" * 33, NOW - 2_000)


def report(generation: int | None = 12, *, silent: float = 0.5, heartbeat: float = 2.0,
           picked_up: float | None = 0.084, service: str = "checkout-bot", closed: bool = False,
           pid: int = 4242, commit: str = "") -> ReaderReport:
    return ReaderReport(f"web-1:{pid}:abcdef", service, "web-1", pid, "1.0", generation, commit,
                        {"memory": "ok", "redis": "ok", "database": "ok"}, heartbeat, 1.0,
                        closed, reported_ms=NOW - int(silent * 1000), started_ms=NOW - 60_000,
                        picked_up_ms=None if picked_up is None
                        else PUBLISHED.at_ms + int(picked_up * 1000))  # type: ignore[operator]


@pytest.mark.parametrize(("given", "state", "why"), [
    (report(), "synced", ""),
    (report(13), "synced", ""),  # ahead: the fleet read the database before a publish
    (report(None), "synced", "no memory tier"),
    (report(11), "syncing", "serves generation 11, 12 is published (2.0 s ago)"),
    (report(closed=True), "gone", "stopped"),
    (report(silent=silent_after(2.0) + 0.1), "stale", "past its heartbeat (2 s)"),
    (report(None, silent=silent_after(2.0) + 0.1), "stale", "silent 5.1 s"),
    (report(silent=lease(2.0) + 0.1), "gone", "its lease (10 s) ran out"),
])
def test_a_reader_is_judged_by_its_report(given: ReaderReport, state: str, why: str) -> None:
    judged = judge(given, PUBLISHED, NOW)
    assert judged.state == state and why in judged.why


def test_a_silent_reader_is_stale_while_its_connection_is_open_and_gone_once_closed() -> None:
    silent = report(silent=lease(2.0) + 60)  # frozen for a minute past its lease
    frozen = judge(silent, PUBLISHED, NOW, connected={silent.id, "another"})
    assert (frozen.state, frozen.why) == ("stale", "silent 70.0 s, past its heartbeat (2 s); "
                                          "its connection is open: frozen or hung")
    ended = judge(report(silent=silent_after(2.0) + 0.1), PUBLISHED, NOW, connected=set())
    assert ended.state == "gone" and "its connection is closed" in ended.why
    fresh = judge(report(), PUBLISHED, NOW, connected=set())  # between two connections
    assert fresh.state == "synced"


def test_behind_past_the_grace_is_stale_and_an_unknown_publish_time_counts_as_past() -> None:
    assert judge(report(11), PUBLISHED, NOW, grace=1.5).state == "stale"
    assert "past the grace (1.5 s)" in judge(report(11), PUBLISHED, NOW, grace=1.5).why
    unknown = Published(12, "abc", None)  # Redis never heard of generation 12
    assert judge(report(11), unknown, NOW).state == "stale"


def test_a_reader_at_the_published_generation_gets_its_commit_and_pick_up_time() -> None:
    judged = judge(report(), PUBLISHED, NOW)
    assert judged.commit == PUBLISHED.commit and judged.picked_up_after == 0.084
    older = judge(report(11, commit="9b1e2d0"), PUBLISHED, NOW)
    assert older.commit == "9b1e2d0" and older.picked_up_after is None
    assert judge(report(11), PUBLISHED, NOW).commit == ""  # unknown, not the published one


def test_the_summary_and_the_exit_code() -> None:
    readers = [report(pid=1), report(pid=2, picked_up=0.2),
               report(pid=3, service="support-bot", picked_up=None)]
    fleet = Fleet(PUBLISHED, NOW, 5.0, tuple(judge(r, PUBLISHED, NOW) for r in readers))
    assert fleet.summary() == ("3 readers in 2 services: all serve 3f2a1c9 (generation 12), "
                               "converged 200 ms after publish")
    assert fleet.exit_code == 0 and fleet.convergence == 0.2
    worse = (*readers, report(11, pid=4, silent=9.0), report(pid=5, closed=True))
    fleet = Fleet(PUBLISHED, NOW, 5.0, tuple(judge(r, PUBLISHED, NOW) for r in worse))
    assert fleet.summary() == ("4 readers in 2 services: 3 serve 3f2a1c9 (generation 12), "
                               "1 stale; 1 gone")
    assert fleet.exit_code == 1 and fleet.convergence is None
    assert fleet.counts()[("checkout-bot", "stale")] == 1
    assert [r.report.pid for r in fleet.only("support-bot").readers] == [3]
    two = Fleet(PUBLISHED, NOW, 5.0, (judge(report(pid=1), PUBLISHED, NOW),
                                      judge(report(11, pid=2, silent=9.0), PUBLISHED, NOW)))
    assert two.summary() == "2 readers in 1 service: 1 serves 3f2a1c9 (generation 12), 1 stale"
    empty = Fleet(PUBLISHED, NOW, 5.0, ())
    assert empty.summary() == "no reader reports to this Redis" and empty.exit_code == 0


def test_the_grace_comes_from_the_flag_then_the_environment() -> None:
    assert resolve_grace(None, {}) == 5.0
    assert resolve_grace(None, {"PROMPTSYNC_FLEET_GRACE": "2.5"}) == 2.5
    assert resolve_grace(1.0, {"PROMPTSYNC_FLEET_GRACE": "2.5"}) == 1.0
    with pytest.raises(UsageError, match="PROMPTSYNC_FLEET_GRACE='soon' is not a number"):
        resolve_grace(None, {"PROMPTSYNC_FLEET_GRACE": "soon"})


def test_read_judges_real_readers_on_the_redis_clock(publisher: Publisher, sqlite_url: str,
                                                      redis_url: str, make_reader,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_FLEET_HEARTBEAT", "0.2")
    publisher.apply({"default/greeting": ("Hello", 1)})
    readers = [make_reader(sqlite_url, redis_url, service=s) for s in ("bot", "bot", "web")]
    for reader in readers:
        wait_subscribed(reader)
    generation = publisher.apply({"default/greeting": ("Hello again", 2)})
    client = redis.Redis.from_url(redis_url)
    try:
        def synced() -> Fleet | None:
            fleet = read(client)
            return fleet if [r.state for r in fleet.readers] == ["synced"] * 3 and \
                all(r.report.generation == generation for r in fleet.readers) else None

        assert wait_until(synced)
        fleet = synced()
        assert fleet is not None and fleet.published.generation == generation
        assert fleet.summary().startswith(f"3 readers in 2 services: all serve "
                                          f"{fleet.published.commit[:7]} (generation 2), "
                                          "converged ")  # type: ignore[index]
        assert fleet.convergence is not None and 0 <= fleet.convergence < 5
        # Two readers that fell silent (reports written by the protocol's own script): one
        # holds its named connection open (a frozen process), the other's is gone (a dead one).
        frozen, dead = (ReaderReport(f"{name}:1:aaaaaa", "bot", name, 1, "1.0",
                                     generation - 1, "", {"memory": "ok"}, 0.1)
                        for name in ("frozen", "dead"))
        held = connect(redis_url, 1.0, name=reader_connection(frozen.id))
        for silent in (frozen, dead):
            held.register_script(REPORT_READER)(
                keys=[reader_key(silent.id)], args=[READER_KEEP_MS, "0", *fields_of(silent)])
        try:
            assert wait_until(lambda: read(client).stale, timeout=silent_after(0.1) + 5)
            judged = {r.report.id: r for r in read(client).readers}
            assert judged[frozen.id].state == "stale" and "frozen or hung" in \
                judged[frozen.id].why
            assert judged[dead.id].state == "gone"
        finally:
            held.close()
        # Judged against the database, as `promptsync fleet --db` does:
        ahead = read(client, Published(generation + 1, "f" * 40, None))
        assert [r.state for r in ahead.readers if r.report.pid == os.getpid()] == ["stale"] * 3
    finally:
        client.close()
