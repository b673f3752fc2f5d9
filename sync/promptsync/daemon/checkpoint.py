"""Named steps of a sync, and a test hook that parks the process at one of them.

With PROMPTSYNC_TEST_PAUSE_AT=<step> the daemon writes `promptsync: paused at <step>` to stderr
and sleeps there, so a fault test can SIGKILL a real process at a known point of a real sync.
With PROMPTSYNC_TEST_PAUSE_SPIN=1 as well it runs Python code instead of sleeping, the way a
long validation holds the CPU (and, between switches, the GIL).
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_ENV = "PROMPTSYNC_TEST_PAUSE_AT"
SPIN_ENV = "PROMPTSYNC_TEST_PAUSE_SPIN"
# raised: promptsync:gen is raised, the keys are not yet deleted nor the event published.
STEPS = ("resolved", "validated", "written", "before-commit", "committed", "raised",
         "invalidated")
# Not a step of the SIGKILL matrix (a kill there is a kill at "resolved"): the validator runs.
VALIDATING = "validating"
PAUSE_SECONDS = 3600.0


def checkpoint(step: str) -> None:
    """Pass through, unless the test hook names this step."""
    if os.environ.get(PAUSE_ENV) != step:
        return
    sys.stderr.write(f"promptsync: paused at {step}\n")
    sys.stderr.flush()
    if os.environ.get(SPIN_ENV):
        _spin(PAUSE_SECONDS)
    else:
        time.sleep(PAUSE_SECONDS)


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(10_000))
