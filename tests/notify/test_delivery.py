"""The real daemon (`promptsync sync --notify`) and a real HTTP receiver: events arrive signed,
a rejected commit with its findings, a receiver that answers 500 twice gets the event on the
third try, a receiver down while the daemon is SIGKILLed gets the event after both come back
with the same id, and readers left behind a publish are told as fleet-stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from promptsync.notify.sender import verify
from tests.daemon.helpers import GREETING, break_greeting, bump_greeting, query, sync_once
from tests.daemon.process import DaemonProcess
from tests.fleet.test_processes import reader_processes
from tests.support.gitrepo import GitRepo
from tests.support.receiver import Receiver

pytestmark = pytest.mark.timeout(150)
SECRET = {"PROMPTSYNC_NOTIFY_SECRET": "receiver-and-daemon-share-this"}


def signed(request: object) -> bool:
    headers = request.headers  # type: ignore[attr-defined]
    return verify(SECRET["PROMPTSYNC_NOTIFY_SECRET"], request.body,  # type: ignore[attr-defined]
                  headers["X-Promptsync-Signature-256"])


def test_events_arrive_signed_and_a_500_is_retried(prompt_repo: GitRepo,
                                                   sqlite_url: str) -> None:
    with Receiver(statuses=(500, 500)) as http, \
            DaemonProcess(prompt_repo, sqlite_url, None, "--interval", "1", "--notify",
                          http.url, env=SECRET) as daemon:
        first = http.wait_for(lambda r: r.answered == 204)[0]
        tries = [r for r in http.requests if r.json["id"] == first.json["id"]]
        assert [r.answered for r in tries] == [500, 500, 204]  # delivered, not lost
        assert all(signed(r) for r in tries)
        assert {r.headers["X-Promptsync-Delivery"] for r in tries} == {first.json["id"]}
        assert first.json["event"] == "published" and first.json["generation"] == 1

        head = bump_greeting(prompt_repo, "notified")
        published = http.wait_for(lambda r: r.json.get("commit") == head)[0]
        assert signed(published) and published.headers["X-Promptsync-Event"] == "published"
        assert published.json["changed"] == [{
            "id": "northwind/greeting", "brand": "northwind", "type": "GREETING", "locale": "",
            "version": 2, "action": "update"}]

        bad = break_greeting(prompt_repo)
        rejected = http.wait_for(lambda r: r.json.get("commit") == bad)[0]
        assert signed(rejected) and rejected.json["event"] == "rejected"
        assert [(f["file"], f["severity"]) for f in rejected.json["findings"]] == \
            [(GREETING, "error")]
        done = "SELECT status, attempts FROM notification_deliveries ORDER BY id"
        daemon.until(lambda: len(query(sqlite_url, done)) == 3)  # recorded after the 204
    rows = query(sqlite_url, done)
    assert rows == [{"status": "delivered", "attempts": 3}, {"status": "delivered",
                                                             "attempts": 1},
                    {"status": "delivered", "attempts": 1}]


def test_an_event_outlives_a_dead_receiver_and_a_killed_daemon(prompt_repo: GitRepo,
                                                               sqlite_url: str) -> None:
    http = Receiver()  # not started: down
    args = (prompt_repo, sqlite_url, None, "--interval", "1", "--notify", http.url)
    with DaemonProcess(*args, env=SECRET) as daemon:
        daemon.until(lambda: query(sqlite_url, "SELECT attempts FROM notification_receivers"
                                   )[0]["attempts"] >= 1)
        (event,) = query(sqlite_url, "SELECT event_id FROM notifications")
        assert daemon.stop(signal.SIGKILL) == -signal.SIGKILL
    http.start()
    try:
        with DaemonProcess(*args, env=SECRET):
            (got,) = http.wait_for(lambda r: True, timeout=90)
    finally:
        http.stop()
    assert got.headers["X-Promptsync-Delivery"] == got.json["id"] == event["event_id"]
    assert signed(got)


def test_readers_behind_after_the_grace_are_told_as_fleet_stale(
        prompt_repo: GitRepo, sqlite_url: str, redis_url: str) -> None:
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    with reader_processes(["checkout-bot"], sqlite_url, redis_url, heartbeat=2) as (frozen,), \
            Receiver() as http, \
            DaemonProcess(prompt_repo, sqlite_url, redis_url, "--interval", "1", "--notify",
                          http.url, env={**SECRET, "PROMPTSYNC_FLEET_GRACE": "1"}) as daemon:
        daemon.until(lambda: _reported(redis_url, frozen.pid), timeout=60)
        frozen.send_signal(signal.SIGSTOP)
        head = bump_greeting(prompt_repo, "frozen")
        http.wait_for(lambda r: r.json.get("commit") == head)
        (stale,) = http.wait_for(lambda r: r.json["event"] == "fleet-stale", timeout=60)
    assert signed(stale) and stale.json["commit"] == head and stale.json["generation"] == 2
    (reader,) = stale.json["readers"]
    assert (reader["pid"], reader["service"], reader["generation"]) == \
        (frozen.pid, "checkout-bot", 1)
    assert reader["state"] == "stale"  # behind past the grace, or silent by then: frozen


def _reported(redis_url: str, pid: int) -> bool:
    out = subprocess.run([sys.executable, "-m", "promptsync", "fleet", "--redis", redis_url,
                          "--format", "json"], capture_output=True, text=True, timeout=60,
                         env={**os.environ})
    return f'"pid": {pid}' in out.stdout


def test_sync_once_delivers_what_it_wrote(prompt_repo: GitRepo, sqlite_url: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_NOTIFY_SECRET", SECRET["PROMPTSYNC_NOTIFY_SECRET"])
    with Receiver() as http:
        assert sync_once(prompt_repo, sqlite_url, None, "--notify", http.url) == 0
        (got,) = http.requests  # sent before the command returned
        head = bump_greeting(prompt_repo, "again")
        # The next run delivers at once: the last one let go of the receiver when it ended.
        assert sync_once(prompt_repo, sqlite_url, None, "--notify", http.url) == 0
        assert [r.json["commit"] for r in http.requests[1:]] == [head]
    assert got.json["event"] == "published" and signed(got)
