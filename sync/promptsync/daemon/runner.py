"""Run the daemon loop in a worker thread; the main thread only waits for a signal or its end.

Python runs signal handlers in the main thread, between bytecodes of that thread: a cycle
running there (a validation of pathological input, a slow database call) held SIGTERM back for
as long as it ran. The loop now runs in a worker thread and the main thread sleeps in select()
on a socket that both the C-level signal handler (`signal.set_wakeup_fd`) and the worker's end
write to, so a signal is seen at once. The cycle in progress gets `grace` seconds to finish;
after that the process exits without it (a transaction it holds rolls back: the SIGKILL tests
show the database holds the old commit or the new one, never a mix). /healthz is served by its
own thread throughout.
"""

from __future__ import annotations

import contextlib
import logging
import select
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)
STOP_GRACE = 3.0


class Runner:
    """Runs `loop` until it ends or a signal in `signals` arrives (then calls `stop`)."""

    def __init__(self, loop: Callable[[], Any], stop: Callable[[], None], *,
                 grace: float = STOP_GRACE,
                 signals: tuple[signal.Signals, ...] = (signal.SIGTERM,)) -> None:
        self.loop, self.stop, self.grace, self.signals = loop, stop, grace, signals
        self.signalled: int | None = None
        self.failure: BaseException | None = None

    def run(self) -> None:
        """Return when the loop ended or was stopped; re-raise what the loop raised."""
        if threading.current_thread() is not threading.main_thread():
            self.loop()  # only the main thread receives signals: nothing to wait for here
            return
        wake_r, wake_w = socket.socketpair()
        for end in (wake_r, wake_w):
            end.setblocking(False)
        worker = threading.Thread(target=self._work, args=(wake_w,), daemon=True,
                                  name="promptsync-loop")
        previous_fd = signal.set_wakeup_fd(wake_w.fileno())
        previous = {sig: signal.signal(sig, self._on_signal) for sig in self.signals}
        try:
            worker.start()
            self._wait(worker, wake_r)
        finally:
            self._stop(worker)
            signal.set_wakeup_fd(previous_fd)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            wake_r.close()
            wake_w.close()
        if self.failure is not None:
            raise self.failure

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # A plain assignment: a handler may interrupt the main thread anywhere, even inside a
        # lock; the wakeup socket, written by the C handler, is what wakes _wait.
        self.signalled = signum

    def _work(self, wake: socket.socket) -> None:
        try:
            self.loop()
        except BaseException as exc:  # handed to the main thread, which raises it
            self.failure = exc
        finally:
            with contextlib.suppress(OSError):
                wake.send(b"\0")

    def _wait(self, worker: threading.Thread, wake: socket.socket) -> None:
        while worker.is_alive() and self.signalled is None:
            select.select([wake], [], [])
            with contextlib.suppress(BlockingIOError):
                wake.recv(4096)
        if self.signalled is not None:
            log.info("signal %d: stopping (the cycle in progress gets %.0f s)", self.signalled,
                     self.grace)

    def _stop(self, worker: threading.Thread) -> None:
        self.stop()
        worker.join(self.grace)
        if worker.is_alive():
            log.warning("a sync cycle was still running %.0f s after the stop request (a long "
                        "validation?); exiting without it: a transaction it held rolls back",
                        self.grace)
