"""The daemon's /metrics (with Redis) shows the fleet too: a real daemon process, a reader."""

from __future__ import annotations

import pytest

from promptsync.reader import PromptReader
from tests.daemon.helpers import metric
from tests.daemon.process import DaemonProcess
from tests.reader.conftest import wait_subscribed
from tests.support.gitrepo import GitRepo
from tests.support.servers import free_port

pytestmark = pytest.mark.timeout(90)


def test_the_daemon_metrics_count_the_readers(prompt_repo: GitRepo, sqlite_url: str,
                                              redis_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_FLEET_HEARTBEAT", "0.2")
    port = free_port()
    synced = 'promptsync_fleet_readers{service="checkout-bot",state="synced"}'
    with DaemonProcess(prompt_repo, sqlite_url, redis_url, "--metrics-port", str(port),
                       "--interval", "0.5") as daemon:
        daemon.wait_for("sync run status=applied")
        reader = PromptReader(db_url=sqlite_url, redis_url=redis_url, service="checkout-bot")
        try:
            wait_subscribed(reader)
            daemon.until(lambda: metric(port, synced) == 1.0)
            assert metric(port, "promptsync_fleet_up") == 1.0
        finally:
            reader.close()
