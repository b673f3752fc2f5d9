"""The daemon stays responsive during any validation: SIGTERM ends it within seconds and
/healthz answers while a validation holds the CPU."""

from __future__ import annotations

import signal
import time
import urllib.request

import pytest

from promptsync.daemon.checkpoint import PAUSE_ENV, SPIN_ENV, VALIDATING
from tests.daemon.helpers import bump_greeting, state, sync_once
from tests.daemon.process import DaemonProcess
from tests.support.gitrepo import GitRepo
from tests.support.servers import free_port

pytestmark = pytest.mark.timeout(90)
STOP_LIMIT = 15.0  # generous on a loaded machine; the validation would run for an hour


def _healthz(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
        return int(resp.status)


def test_sigterm_and_healthz_are_answered_during_a_long_validation(prompt_repo: GitRepo,
                                                                   sqlite_url: str) -> None:
    assert sync_once(prompt_repo, sqlite_url) == 0  # the daemon's first cycle has nothing to do
    port = free_port()
    with DaemonProcess(prompt_repo, sqlite_url, None, "--interval", "0.2", "--metrics-port",
                       str(port), env={PAUSE_ENV: VALIDATING, SPIN_ENV: "1"}) as proc:
        proc.until(lambda: _healthz(port) == 200, timeout=30)
        old = state(sqlite_url)
        bump_greeting(prompt_repo, "trail")
        proc.wait_for(f"paused at {VALIDATING}", timeout=30)  # spinning in Python from now on
        assert _healthz(port) == 200  # answered, by a server the validation does not block
        asked = time.monotonic()
        assert proc.stop(signal.SIGTERM, timeout=STOP_LIMIT) == 0
        waited = time.monotonic() - asked
    assert state(sqlite_url) == old  # stopped mid-validation: nothing written
    assert "still running" in proc.stderr(), f"stopped after {waited:.1f} s"
