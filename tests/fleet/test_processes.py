"""Readers in processes of their own, on real Redis and PostgreSQL, published to by the real
daemon: they appear with their service, report each commit within seconds, a frozen one
(SIGSTOP) turns stale and `promptsync fleet` exits 1, a killed one turns gone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from promptsync.cli.main import main
from promptsync.fleet.view import lease
from tests.daemon.helpers import bump_greeting, sync_once
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

pytestmark = pytest.mark.timeout(150)
HEARTBEAT = 1.0  # seconds: stale after 3 s of silence, gone after 6 s (promptsync.fleet.view)


@contextmanager
def reader_processes(services: list[str], db: str, redis_url: str, heartbeat: float = HEARTBEAT
                     ) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT),
           "PROMPTSYNC_FLEET_HEARTBEAT": str(heartbeat)}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.fleet.reader_process", service,
                               db, redis_url], env=env, stdout=subprocess.DEVNULL)
             for service in services]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)  # a stopped child must be able to die
                proc.kill()
            proc.wait(30)


def fleet(capsys: pytest.CaptureFixture[str], redis_url: str, db: str) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(["fleet", "--redis", redis_url, "--db", db, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def wait_fleet(capsys: pytest.CaptureFixture[str], redis_url: str, db: str,
               done: Callable[[int, Any], bool], timeout: float = 30) -> tuple[int, Any]:
    deadline = time.monotonic() + timeout
    while True:
        code, found = fleet(capsys, redis_url, db)
        if done(code, found):
            return code, found
        if time.monotonic() > deadline:
            raise AssertionError(f"the fleet never got there: {json.dumps(found, indent=1)}")
        time.sleep(0.1)


def by_pid(found: Any) -> dict[int, Any]:
    return {r["pid"]: r for r in found["readers"]}


def test_readers_in_their_own_processes(prompt_repo: GitRepo, pg_url: str, redis_url: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert sync_once(prompt_repo, pg_url, redis_url) == 0
    services = ["checkout-bot", "checkout-bot", "support-bot"]
    with reader_processes(services, pg_url, redis_url) as procs:
        pids = [p.pid for p in procs]
        code, found = wait_fleet(capsys, redis_url, pg_url, lambda c, f: sorted(by_pid(f)) ==
                                 sorted(pids) and f["counts"]["synced"] == 3, timeout=60)
        assert code == 0
        assert {pid: r["service"] for pid, r in by_pid(found).items()} == \
            dict(zip(pids, services, strict=True))

        head = bump_greeting(prompt_repo, "fleet")
        assert sync_once(prompt_repo, pg_url, redis_url) == 0
        code, found = wait_fleet(capsys, redis_url, pg_url, lambda c, f: all(
            r["commit"] == head and r["state"] == "synced" for r in f["readers"]))
        assert code == 0 and found["published"]["commit"] == head
        assert all(r["picked_up_seconds"] is not None and r["picked_up_seconds"] < 5
                   for r in found["readers"])
        assert found["summary"].startswith(f"3 readers in 2 services: all serve {head[:7]} "
                                           f"(generation 2), converged ")

        frozen, killed = procs[0], procs[1]
        frozen.send_signal(signal.SIGSTOP)
        killed.kill()
        code, found = wait_fleet(capsys, redis_url, pg_url,
                                 lambda c, f: by_pid(f)[frozen.pid]["state"] == "stale")
        assert code == 1
        assert "past its heartbeat" in by_pid(found)[frozen.pid]["why"]
        assert by_pid(found)[procs[2].pid]["state"] == "synced"
        code, found = wait_fleet(capsys, redis_url, pg_url,
                                 lambda c, f: by_pid(f)[killed.pid]["state"] == "gone")
        assert "its connection is closed" in by_pid(found)[killed.pid]["why"]
        # Frozen for longer than a lease, it is still stale, not gone: its socket is open.
        code, found = wait_fleet(capsys, redis_url, pg_url, lambda c, f: by_pid(f)[frozen.pid][
            "silent_seconds"] > lease(float(HEARTBEAT)) + 1)
        assert code == 1 and by_pid(found)[frozen.pid]["state"] == "stale"
        assert "its connection is open: frozen or hung" in by_pid(found)[frozen.pid]["why"]
