"""The reader's fleet report on a real Redis: who it is, what it serves, at once after a publish,
off when asked, one warning for a dead Redis, its own identity after a fork, a goodbye on close."""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
from typing import Any

import pytest
import redis

from promptsync.cache.protocol import (
    LAST_PUBLISH_KEY,
    ReaderReport,
    decode_last_publish,
    decode_report,
    readers_pattern,
)
from promptsync.model import PromptType
from promptsync.reader.settings import program_name, resolve
from promptsync.version import package_version
from tests.reader.conftest import wait_subscribed, wait_until
from tests.support.publisher import Publisher
from tests.support.servers import RedisProcess

FORK = multiprocessing.get_context("fork")


def reports(url: str) -> dict[str, ReaderReport]:
    client = redis.Redis.from_url(url)
    try:
        found = [decode_report(client.hgetall(k)) for k in client.scan_iter(readers_pattern())]
        return {r.id: r for r in found}
    finally:
        client.close()


def last_publish(url: str) -> Any:
    client = redis.Redis.from_url(url)
    try:
        return decode_last_publish(client.hgetall(LAST_PUBLISH_KEY))
    finally:
        client.close()


@pytest.fixture
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_FLEET_HEARTBEAT", "0.2")


def test_a_reader_reports_who_it_is_and_what_it_serves(publisher: Publisher, db_url: str,
                                                        redis_url: str, make_reader,
                                                        fast_heartbeat: None) -> None:
    generation = publisher.apply({"default/greeting": ("Hello", 1)})
    reader = make_reader(db_url, redis_url, service="checkout-bot")
    wait_subscribed(reader)
    assert wait_until(lambda: any(r.generation == generation for r in reports(redis_url).values()))
    (report,) = reports(redis_url).values()
    assert (report.service, report.host, report.pid, report.version) == \
        ("checkout-bot", socket.gethostname(), os.getpid(), package_version())
    assert report.id.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert report.tiers == {"memory": "ok", "redis": "ok", "database": "ok"}
    assert report.heartbeat == 0.2 and not report.closed
    assert report.picked_up_ms is None  # it started at this generation: nothing picked up
    first = report.reported_ms
    assert wait_until(lambda: reports(redis_url)[report.id].reported_ms > first)  # heartbeat


def test_a_publish_is_reported_at_once_not_at_the_next_heartbeat(
        publisher: Publisher, db_url: str, redis_url: str, make_reader,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_FLEET_HEARTBEAT", "600")
    publisher.apply({"default/greeting": ("Hello", 1)})
    reader = make_reader(db_url, redis_url, service="bot")
    wait_subscribed(reader)
    assert wait_until(lambda: len(reports(redis_url)) == 1)
    generation = publisher.apply({"default/greeting": ("Hello again", 2)})
    assert wait_until(lambda: next(iter(reports(redis_url).values())).generation == generation)
    (report,) = reports(redis_url).values()
    published = last_publish(redis_url)
    assert published.generation == generation and report.commit == published.commit
    assert report.picked_up_ms is not None
    # Both stamps are the Redis server's clock: the pick-up is after the publish, and soon.
    assert 0 <= report.picked_up_ms - published.at_ms < 5000
    assert report.event_age is not None and report.event_age < 5


def test_reporting_is_off_when_asked(publisher: Publisher, db_url: str, redis_url: str,
                                     make_reader, fast_heartbeat: None,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    publisher.apply({"default/greeting": ("Hello", 1)})
    quiet = make_reader(db_url, redis_url, service="quiet", report=False)
    monkeypatch.setenv("PROMPTSYNC_FLEET", "off")
    also_quiet = make_reader(db_url, redis_url, service="also-quiet")
    monkeypatch.setenv("PROMPTSYNC_FLEET", "on")
    heard = make_reader(db_url, redis_url, service="heard")
    for reader in (quiet, also_quiet, heard):
        wait_subscribed(reader)
        assert reader.get("acme", PromptType.GREETING).template == "Hello"
    # The reader that reports has reported twice: the others had the time to, and did not.
    assert wait_until(lambda: any(r.reported_ms > r.started_ms for r in
                                  reports(redis_url).values()))
    assert [r.service for r in reports(redis_url).values()] == ["heard"]


def test_the_fleet_setting_takes_on_or_off_only() -> None:
    with pytest.raises(Exception, match="PROMPTSYNC_FLEET='maybe' is not on or off"):
        resolve("sqlite:///x.db", env={"PROMPTSYNC_FLEET": "maybe"})
    assert not resolve("sqlite:///x.db", env={"PROMPTSYNC_FLEET": "OFF"}).report
    assert resolve("sqlite:///x.db", env={"PROMPTSYNC_SERVICE": "bot"}).service == "bot"
    assert resolve("sqlite:///x.db", service="given", env={"PROMPTSYNC_SERVICE": "bot"}
                   ).service == "given"


@pytest.mark.parametrize(("argv", "name"), [
    (["/usr/bin/gunicorn", "app:wsgi"], "gunicorn"), (["worker.py"], "worker"),
    (["/srv/chat/__main__.py"], "chat"), (["-c"], "python"), ([], "python")])
def test_a_service_is_named_for_its_program_by_default(argv: list[str], name: str) -> None:
    assert program_name(argv) == name


def test_a_dead_redis_is_one_warning_and_reads_go_on(
        publisher: Publisher, db_url: str, make_reader, fast_heartbeat: None,
        caplog: pytest.LogCaptureFixture) -> None:
    server = RedisProcess().start()
    try:
        publisher.redis_url = server.url
        publisher.apply({"default/greeting": ("Hello", 1)})
        reader = make_reader(db_url, server.url, service="bot", redis_timeout=0.2)
        assert wait_until(lambda: len(reports(server.url)) == 1)
        with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
            server.stop()
            assert wait_until(lambda: "fleet report" in caplog.text, timeout=10)
            for _ in range(20):  # Redis down: each read answers from the database
                assert reader.get("acme", PromptType.GREETING).template == "Hello"
            server.start()  # a new, empty server on the same port
            assert wait_until(lambda: len(reports(server.url)) == 1, timeout=15)
        fleet_warnings = [r for r in caplog.records if "fleet report" in r.getMessage()]
        assert len(fleet_warnings) == 1, caplog.text
        assert server.url.split("//")[1].split("/")[0] in fleet_warnings[0].getMessage()
    finally:
        server.close()


def _child_reads(reader: Any, done: Any) -> None:
    reader.get("acme", PromptType.GREETING)
    done.wait(30)
    reader.close()


def test_a_forked_child_reports_as_itself(publisher: Publisher, db_url: str, redis_url: str,
                                          make_reader, fast_heartbeat: None) -> None:
    publisher.apply({"default/greeting": ("Hello", 1)})
    reader = make_reader(db_url, redis_url, service="forking")
    assert wait_until(lambda: len(reports(redis_url)) == 1)
    done = FORK.Event()
    child = FORK.Process(target=_child_reads, args=(reader, done))
    child.start()
    try:
        assert wait_until(lambda: {r.pid for r in reports(redis_url).values()} ==
                          {os.getpid(), child.pid}, timeout=10)
        mine = [r for r in reports(redis_url).values() if r.pid == child.pid]
        assert mine[0].service == "forking" and not mine[0].closed
    finally:
        done.set()
        child.join(30)
        if child.is_alive():
            child.kill()
    assert wait_until(lambda: [r.closed for r in reports(redis_url).values()
                               if r.pid == child.pid] == [True])
    # The parent goes on reporting as itself.
    assert [r.closed for r in reports(redis_url).values() if r.pid == os.getpid()] == [False]


def test_close_says_goodbye(publisher: Publisher, db_url: str, redis_url: str, make_reader,
                            fast_heartbeat: None) -> None:
    publisher.apply({"default/greeting": ("Hello", 1)})
    reader = make_reader(db_url, redis_url, service="bot")
    assert wait_until(lambda: len(reports(redis_url)) == 1)
    reader.close()
    (report,) = reports(redis_url).values()
    assert report.closed
