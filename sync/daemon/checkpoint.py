"""Named steps of a sync, and a test hook that parks the process at one of them.

With PROMPTSYNC_TEST_PAUSE_AT=<step> the daemon writes `promptsync: paused at <step>` to stderr
and sleeps there, so a fault test can SIGKILL a real process at a known point of a real sync.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_ENV = "PROMPTSYNC_TEST_PAUSE_AT"
# raised: promptsync:gen is raised, the keys are not yet deleted nor the event published.
STEPS = ("resolved", "validated", "written", "before-commit", "committed", "raised",
         "invalidated")
PAUSE_SECONDS = 3600.0


def checkpoint(step: str) -> None:
    """Pass through, unless the test hook names this step."""
    if os.environ.get(PAUSE_ENV) != step:
        return
    sys.stderr.write(f"promptsync: paused at {step}\n")
    sys.stderr.flush()
    time.sleep(PAUSE_SECONDS)
