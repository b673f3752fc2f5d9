"""Faults on real components: SIGKILL at every step, Redis down, PostgreSQL unreachable."""

from __future__ import annotations

import contextlib
import signal
import socket
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy.engine import make_url

from promptsync.daemon.checkpoint import PAUSE_ENV, STEPS
from tests.daemon.helpers import (
    RunningDaemon,
    bump_greeting,
    live,
    metric,
    read_event,
    redis_gen,
    runs,
    state,
    sync_once,
    tree_versions,
    versions,
    wait_until,
)
from tests.daemon.process import DaemonProcess
from tests.daemon.proxy import Proxy
from tests.support.gitrepo import GitRepo
from tests.support.servers import RedisProcess, free_port

BEFORE_COMMIT = ("resolved", "validated", "written", "before-commit")


@pytest.mark.slow
@pytest.mark.timeout(90)
@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_each_step_leaves_old_or_new_and_the_next_start_converges(
        prompt_repo: GitRepo, db_url: str, redis_url: str, step: str) -> None:
    old = prompt_repo.head()
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    old_versions = {k: v for k, (v, _) in live(db_url).items()}
    new = bump_greeting(prompt_repo, "trail")
    with DaemonProcess(prompt_repo, db_url, redis_url, "--once", env={PAUSE_ENV: step}) as proc:
        proc.wait_for(f"paused at {step}", timeout=120)
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL
    commit, generation = state(db_url)
    held = {k: v for k, (v, _) in live(db_url).items()}
    if step in BEFORE_COMMIT:
        assert (commit, generation, held) == (old, 1, old_versions)
    else:
        assert (commit, generation, held) == (new, 2, tree_versions(prompt_repo))
    assert redis_gen(redis_url) == (2 if step in ("raised", "invalidated") else 1)
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    assert state(db_url) == (new, 2)
    assert redis_gen(redis_url) == 2  # a crash before the invalidation healed by itself
    assert [r["to_commit"] for r in runs(db_url) if r["status"] == "applied"] == [old, new]


@pytest.mark.timeout(120)
def test_a_kill_between_raising_the_generation_and_the_event_is_published_on_restart(
        prompt_repo: GitRepo, sqlite_url: str, redis_url: str) -> None:
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    head = bump_greeting(prompt_repo, "trail")
    with DaemonProcess(prompt_repo, sqlite_url, redis_url, "--once",
                       env={PAUSE_ENV: "raised"}) as proc:
        proc.wait_for("paused at raised", timeout=120)
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL
    assert (state(sqlite_url), redis_gen(redis_url)) == ((head, 2), 2)  # raised, never announced
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    try:
        pubsub.subscribe("promptsync:events")
        assert sync_once(prompt_repo, sqlite_url, redis_url) == 0  # "up to date": yet it heals
        assert read_event(pubsub) == {"commit": head, "generation": 2,
                                      "changed": ["northwind/greeting"]}
        assert int(client.get("promptsync:published") or 0) == 2
        assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
        client.publish("promptsync:events", '{"marker": 1}')
        assert read_event(pubsub) == {"marker": 1}  # announced once, not on every cycle
    finally:
        pubsub.close()
        client.close()


@pytest.mark.timeout(60)
def test_redis_down_during_sync_heals_without_restart(prompt_repo: GitRepo, sqlite_url: str,
                                                      redis_process: RedisProcess) -> None:
    url = redis_process.url
    with RunningDaemon(str(prompt_repo.path), sqlite_url, url, interval=0.2) as d:
        wait_until(lambda: redis_gen(url) == 1)
        redis_process.stop()
        head = bump_greeting(prompt_repo, "trail")
        wait_until(lambda: state(sqlite_url) == (head, 2))  # the database does not wait
        failures = d.syncer.metrics.invalidation_failures
        wait_until(lambda: sum(s.value for s in failures.collect()[0].samples
                               if s.name.endswith("_total")) >= 2)
        redis_process.start()
        wait_until(lambda: redis_gen(url) == 2, timeout=15)
        assert d.thread.is_alive()


def both_cycle_twice(*daemons: RunningDaemon) -> None:
    """Wait until each daemon ran two more cycles (so each saw the final head)."""
    seen = [d.daemon.cycles for d in daemons]
    wait_until(lambda: all(d.daemon.cycles >= n + 2
                           for d, n in zip(daemons, seen, strict=True)), timeout=30)


def cycles_of(port: int) -> float:
    """Cycles a daemon process has run, from its /metrics."""
    return metric(port, "promptsync_reconcile_duration_seconds_count")


def _pg_proxy(pg_url: str) -> tuple[Proxy, str]:
    """A cuttable TCP path to the test's PostgreSQL: the suite's own server listens on a unix
    socket (`?host=/dir`), a DATABASE_URL server on TCP."""
    url = make_url(pg_url)
    host = url.query.get("host")
    if host:
        [sock] = [p for p in Path(str(host)).glob(".s.PGSQL.*") if not p.name.endswith(".lock")]
        family: socket.AddressFamily = socket.AF_UNIX
        address: Any = str(sock)
    else:
        family, address = socket.AF_INET, (url.host or "127.0.0.1", url.port or 5432)

    def connect() -> socket.socket:
        s = socket.socket(family)
        s.connect(address)
        return s

    proxy = Proxy(connect)
    via = url.set(host="127.0.0.1", port=proxy.port, query={})
    return proxy, via.render_as_string(hide_password=False)


@pytest.mark.timeout(90)
def test_postgresql_unreachable_then_back(prompt_repo: GitRepo, pg_url: str) -> None:
    proxy, via = _pg_proxy(pg_url)  # closed: the daemon starts with no database
    try:
        with RunningDaemon(str(prompt_repo.path), via, interval=0.2) as d:
            wait_until(lambda: d.daemon.cycles >= 3)
            assert d.daemon.last is not None and d.daemon.last.status == "unreachable"
            proxy.open()
            wait_until(lambda: state(pg_url)[0] == prompt_repo.head(), timeout=20)
            proxy.cut()
            head = bump_greeting(prompt_repo, "trail")
            seen = d.daemon.cycles
            wait_until(lambda: d.daemon.cycles >= seen + 2)
            assert state(pg_url) == (prompt_repo.head("HEAD~1"), 1)
            proxy.open()
            wait_until(lambda: state(pg_url) == (head, 2), timeout=20)
    finally:
        proxy.cut()
    assert [r["status"] for r in runs(pg_url)] == ["applied", "applied"]


@pytest.mark.timeout(90)
def test_two_daemons_on_one_database_apply_each_commit_once(prompt_repo: GitRepo,
                                                             db_url: str) -> None:
    path = str(prompt_repo.path)
    with RunningDaemon(path, db_url, interval=0.05) as a, \
            RunningDaemon(path, db_url, interval=0.05) as b:
        for i in range(8):
            wait_until(lambda: state(db_url)[0] == prompt_repo.head())
            bump_greeting(prompt_repo, f"w{i}")
        wait_until(lambda: state(db_url)[0] == prompt_repo.head())
        both_cycle_twice(a, b)
    applied = [r["to_commit"] for r in runs(db_url) if r["status"] == "applied"]
    assert len(applied) == len(set(applied)) == 9
    assert state(db_url)[1] == 9
    assert live(db_url)["northwind/greeting"][0] == 9


@pytest.mark.timeout(90)
def test_two_daemons_racing_a_burst_never_move_back_or_repeat(prompt_repo: GitRepo,
                                                              db_url: str) -> None:
    path = str(prompt_repo.path)
    with RunningDaemon(path, db_url, interval=0.02) as a, \
            RunningDaemon(path, db_url, interval=0.02) as b:
        wait_until(lambda: state(db_url)[0] == prompt_repo.head())
        for i in range(15):  # no waiting: the daemons see the ref move under them
            bump_greeting(prompt_repo, f"r{i}")
        wait_until(lambda: state(db_url)[0] == prompt_repo.head())
        both_cycle_twice(a, b)
    applied = [r["to_commit"] for r in runs(db_url) if r["status"] == "applied"]
    assert len(applied) == len(set(applied)) == state(db_url)[1]
    assert "rollback" not in {v["action"] for v in versions(db_url)}
    assert live(db_url)["northwind/greeting"][0] == 16


@pytest.mark.timeout(120)
def test_two_daemon_processes_on_postgresql_apply_each_commit_once(prompt_repo: GitRepo,
                                                                   pg_url: str) -> None:
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        procs = [stack.enter_context(DaemonProcess(prompt_repo, pg_url, None, "--interval",
                                                   "0.05", "--metrics-port", str(port)))
                 for port in ports]
        for i in range(6):
            wait_until(lambda: state(pg_url)[0] == prompt_repo.head(), timeout=30)
            bump_greeting(prompt_repo, f"p{i}")
        wait_until(lambda: state(pg_url)[0] == prompt_repo.head(), timeout=30)
        seen = [cycles_of(port) for port in ports]  # both cycle on the final head, twice
        wait_until(lambda: all(cycles_of(p) >= n + 2 for p, n in zip(ports, seen, strict=True)),
                   timeout=30)
        codes = [proc.stop() for proc in procs]
    assert codes == [0, 0]
    applied = [r["to_commit"] for r in runs(pg_url) if r["status"] == "applied"]
    assert len(applied) == len(set(applied)) == 7 == state(pg_url)[1]


@pytest.mark.timeout(60)
def test_once_with_redis_down_updates_the_database_and_exits_2(
        prompt_repo: GitRepo, sqlite_url: str, redis_process: RedisProcess,
        capsys: pytest.CaptureFixture[str]) -> None:
    redis_process.stop()
    assert sync_once(prompt_repo, sqlite_url, redis_process.url) == 2
    assert state(sqlite_url) == (prompt_repo.head(), 1)
    assert "Redis could not be reached" in capsys.readouterr().err
    redis_process.start()
    assert sync_once(prompt_repo, sqlite_url, redis_process.url) == 0
    assert redis_gen(redis_process.url) == 1
