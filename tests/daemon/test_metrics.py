"""Prometheus metrics and the health endpoint, served by a real daemon process."""

from __future__ import annotations

import contextlib
import resource
import signal
import socket
import urllib.error
import urllib.request

import pytest

from promptsync.daemon.metrics import Metrics
from promptsync.daemon.metrics_server import MetricsServer
from tests.daemon.helpers import RunningDaemon, bump_greeting, metric, state, wait_until
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


def test_healthz_fails_within_a_few_cycles_of_losing_the_database(prompt_repo: GitRepo,
                                                                  pg_url: str) -> None:
    from tests.daemon.test_faults import _pg_proxy

    port = free_port()
    proxy, via = _pg_proxy(pg_url)
    proxy.open()
    try:
        with DaemonProcess(prompt_repo, via, None, "--metrics-port", str(port),
                           "--interval", "0.2") as proc:
            proc.until(lambda: _get(port, "/healthz") == (200, "ok\n"), timeout=30)
            proxy.cut()
            lost = 'promptsync_errors_total{cause="unreachable",system="database"}'
            proc.until(lambda: metric(port, lost) >= 3, timeout=30)  # three cycles in a row
            assert _get(port, "/healthz")[0] == 503  # not 200 for another minute
            proxy.open()
            proc.until(lambda: _get(port, "/healthz") == (200, "ok\n"), timeout=30)
    finally:
        proxy.cut()


def test_a_rejected_head_is_healthy_but_not_a_good_sync(prompt_repo: GitRepo,
                                                        sqlite_url: str) -> None:
    from tests.daemon.helpers import break_greeting

    break_greeting(prompt_repo, "Broken from the start")
    with RunningDaemon(str(prompt_repo.path), sqlite_url, interval=0.05) as d:
        wait_until(lambda: d.daemon.cycles >= 3)
        metrics = d.syncer.metrics
        assert metrics.healthy()
        assert metrics.seconds_since_good() == -1.0  # never held the branch's commit


def _idle_connections(port: int, count: int, stack: contextlib.ExitStack) -> int:
    """Up to `count` TCP connections that never send a byte; stops early once the server stops
    accepting (its accept queue full: it is out of descriptors). How many were opened."""
    for opened in range(count):
        sock = stack.enter_context(socket.socket())
        sock.settimeout(2.0)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:  # timed out in the SYN queue
            return opened
    return count


def _lower_fd_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


FD_LIMIT = 128


@pytest.mark.timeout(120)
def test_idle_connections_to_the_metrics_port_cannot_exhaust_the_daemons_descriptors(
        prompt_repo: GitRepo, sqlite_url: str) -> None:
    port = free_port()
    with DaemonProcess(prompt_repo, sqlite_url, None, "--interval", "0.2", "--metrics-port",
                       str(port), preexec_fn=_lower_fd_limit) as proc:
        proc.until(lambda: _get(port, "/healthz") == (200, "ok\n"), timeout=30)
        with contextlib.ExitStack() as idle:
            _idle_connections(port, FD_LIMIT + 100, idle)
            head = bump_greeting(prompt_repo, "trail")
            proc.until(lambda: state(sqlite_url) == (head, 2), timeout=60)  # still syncing
        proc.until(lambda: _get(port, "/healthz") == (200, "ok\n"), timeout=30)
        assert proc.stop() == 0


def test_the_metrics_port_listens_on_loopback_unless_told(
        capsys: pytest.CaptureFixture[str]) -> None:
    from promptsync.cli.main import main

    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--metrics-host METRICS_HOST" in help_text and "(default 127.0.0.1" in help_text
    server = MetricsServer(Metrics(), 0).start()
    try:
        assert server._sock.getsockname()[0] == "127.0.0.1"
    finally:
        server.close()


def test_a_probe_is_answered_while_idle_connections_fill_the_server() -> None:
    server = MetricsServer(Metrics(), 0, max_connections=4, timeout=0.5).start()
    try:
        with contextlib.ExitStack() as idle:
            first = idle.enter_context(socket.create_connection(("127.0.0.1", server.port)))
            for _ in range(20):
                idle.enter_context(socket.create_connection(("127.0.0.1", server.port)))
            assert _get(server.port, "/nowhere")[0] == 404  # pushed out the oldest idle one
            first.settimeout(10)
            assert first.recv(1) == b""  # closed by the server, not left to hold a descriptor
        late = socket.create_connection(("127.0.0.1", server.port))
        late.settimeout(10)
        assert late.recv(1) == b""  # silent for longer than the timeout: closed
        late.close()
    finally:
        server.close()
