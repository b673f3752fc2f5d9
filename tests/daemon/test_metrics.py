"""Prometheus metrics and the health endpoint, served by a real daemon process."""

from __future__ import annotations

import signal
import urllib.error
import urllib.request

import pytest

from promptsync.daemon.metrics import MetricsServer
from tests.daemon.helpers import RunningDaemon, bump_greeting, state, wait_until
from tests.daemon.process import DaemonProcess
from tests.support.gitrepo import GitRepo
from tests.support.servers import free_port

pytestmark = pytest.mark.timeout(60)


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_count_runs_generation_and_git_requests(prompt_repo: GitRepo, sqlite_url: str,
                                                        redis_url: str, tmp_path) -> None:
    url = f"file://{prompt_repo.path}"
    with RunningDaemon(url, sqlite_url, redis_url, interval=0.1, cache_dir=tmp_path) as d:
        server = MetricsServer(d.syncer.metrics, 0, host="127.0.0.1").start()
        try:
            wait_until(lambda: state(sqlite_url)[0] == prompt_repo.head())
            head = bump_greeting(prompt_repo, "trail")
            wait_until(lambda: state(sqlite_url)[0] == head)
            wait_until(lambda: 'result="applied"} 2.0' in _get(server.port, "/metrics")[1])
            _, text = _get(server.port, "/metrics")
        finally:
            server.close()
    assert "promptsync_published_generation 2.0" in text
    assert 'promptsync_git_requests_total{op="fetch"}' in text
    assert "promptsync_reconcile_duration_seconds_count" in text
    assert "promptsync_merge_to_live_seconds_count 2.0" in text
    assert "promptsync_seconds_since_last_good_sync" in text
    assert "promptsync_invalidation_failures_total 0.0" in text


def test_daemon_process_serves_healthz_and_stops_on_sigterm(prompt_repo: GitRepo,
                                                            sqlite_url: str) -> None:
    port = free_port()
    with DaemonProcess(prompt_repo, sqlite_url, None, "--metrics-port", str(port),
                       "--interval", "0.2") as proc:
        wait_until(lambda: _get(port, "/healthz") == (200, "ok\n"), timeout=20)
        assert _get(port, "/nowhere")[0] == 404
        assert proc.stop(signal.SIGTERM) == 0
    assert "sync run status=applied" in proc.stderr()


def test_healthz_is_503_while_the_database_is_unreachable(prompt_repo: GitRepo) -> None:
    port = free_port()
    with DaemonProcess(prompt_repo, "postgresql+psycopg://u:p@127.0.0.1:9/x", None,
                       "--metrics-port", str(port), "--interval", "0.2"):
        # /healthz is 503 from the start (no cycle has worked yet): wait for a failed cycle.
        wait_until(lambda: "promptsync_sync_runs_total{result=\"unreachable\"}"
                   in _get(port, "/metrics")[1], timeout=20)
        assert _get(port, "/healthz")[0] == 503


def test_a_rejected_head_is_healthy_but_not_a_good_sync(prompt_repo: GitRepo,
                                                        sqlite_url: str) -> None:
    from tests.daemon.helpers import break_greeting

    break_greeting(prompt_repo, "Broken from the start")
    with RunningDaemon(str(prompt_repo.path), sqlite_url, interval=0.05) as d:
        wait_until(lambda: d.daemon.cycles >= 3)
        metrics = d.syncer.metrics
        assert metrics.healthy()
        assert metrics.seconds_since_good() == -1.0  # never held the branch's commit
