"""The fault tests' own harness: a wait that fails never leaves a daemon child behind."""

from __future__ import annotations

import pytest

from promptsync.daemon.checkpoint import PAUSE_ENV
from tests.daemon.process import DaemonProcess
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(60)


def test_a_failed_wait_for_a_pause_point_still_kills_the_paused_child(
        prompt_repo: GitRepo, sqlite_url: str) -> None:
    # Paused at "resolved" the child sleeps an hour and prints nothing more: a wait for a step
    # it never reaches must end at its deadline, and leaving the block must kill the child.
    with pytest.raises(AssertionError, match="paused at invalidated"), \
            DaemonProcess(prompt_repo, sqlite_url, None, "--once",
                          env={PAUSE_ENV: "resolved"}) as proc:
        proc.wait_for("paused at resolved", timeout=30)
        proc.wait_for("paused at invalidated", timeout=1)
    assert not proc.alive()
