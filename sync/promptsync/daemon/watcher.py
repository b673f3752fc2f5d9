"""Wake the daemon as soon as a ref of a local repository changes.

A commit, merge, reset or push rewrites a file under refs/ (through a `.lock` file renamed into
place) or packed-refs; watchfiles reports it within a few milliseconds and a burst of commits
arrives as one wake-up, so the cycle that follows applies only the newest.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from watchfiles import Change, watch

log = logging.getLogger(__name__)
# watchfiles yields once no new change came for STEP_MS: the wake-up's floor after `git commit`
# moved the ref (2 ms: 1-3 ms after `git commit` ends, where 10 ms gave 10-22 ms). Its idle
# poll runs every STEP_MS too: about 1% of a core at 2 ms.
DEBOUNCE_MS = 5
STEP_MS = 2


class Waker:
    """An event the loop waits on; set by the watcher, by a signal, or by a timeout."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def wake(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        woke = self._event.wait(timeout)
        self._event.clear()
        return woke


def is_ref_change(common_dir: Path, path: str) -> bool:
    try:
        rel = Path(path).relative_to(common_dir).as_posix()
    except ValueError:
        return False
    if rel.endswith(".lock"):
        return False
    return rel.startswith("refs/") or rel in ("packed-refs", "HEAD")


class RefWatcher:
    """A thread that wakes `waker` on every change to the refs of `common_dir`."""

    def __init__(self, common_dir: Path, waker: Waker, stop: threading.Event) -> None:
        self.common_dir, self.waker, self.stop = common_dir, waker, stop
        self._thread = threading.Thread(target=self._run, name="promptsync-watch", daemon=True)

    def start(self) -> RefWatcher:
        self._thread.start()
        return self

    def join(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        def accept(_change: Change, path: str) -> bool:
            return is_ref_change(self.common_dir, path)

        try:
            for _changes in watch(self.common_dir, watch_filter=accept, debounce=DEBOUNCE_MS,
                                  step=STEP_MS, stop_event=self.stop, rust_timeout=1000,
                                  yield_on_timeout=False, raise_interrupt=False):
                self.waker.wake()
        except Exception:  # the interval poll still runs; say why we went deaf
            log.exception("watching %s failed; falling back to polling", self.common_dir)
