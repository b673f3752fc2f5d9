"""The sync daemon inside the API's process: the existing Daemon loop in a thread, woken at once
by a webhook push or a write to the published branch; its notifications' worker beside it."""

from __future__ import annotations

import logging
import threading

from promptsync.daemon.loop import Daemon
from promptsync.daemon.metrics import Metrics
from promptsync.daemon.runner import STOP_GRACE
from promptsync.daemon.syncer import Syncer

log = logging.getLogger(__name__)


class DaemonThread:
    """`start`, `wake` (a cycle now), `stop` (waits up to `grace` for the cycle in progress)."""

    def __init__(self, syncer: Syncer, interval: float) -> None:
        self.daemon = Daemon(syncer, interval=interval)
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="promptsync-daemon")

    @property
    def metrics(self) -> Metrics:
        return self.daemon.syncer.metrics

    def start(self) -> DaemonThread:
        self._thread.start()
        if self.daemon.syncer.notifier is not None:
            self.daemon.syncer.notifier.start()
        return self

    def wake(self) -> None:
        self.daemon.waker.wake()

    def stop(self, grace: float = STOP_GRACE) -> None:
        self.daemon.request_stop()
        self._thread.join(grace)
        if self._thread.is_alive():
            log.warning("the sync cycle in progress did not end within %.0f s; leaving it "
                        "(a transaction it holds rolls back when the process exits)", grace)
        if self.daemon.syncer.notifier is not None:
            self.daemon.syncer.notifier.stop(grace)  # what it did not send stays in the outbox

    def _run(self) -> None:
        try:
            self.daemon.run()
        except BaseException as exc:  # a usage error (a bad ref): the API keeps serving
            self.failure = exc
            log.error("the sync daemon stopped: %s", exc)
