"""Calls a caller can stop waiting for: the guard against a database that never answers.

A PostgreSQL server that is alive but stopped (SIGSTOP, a frozen VM) holds its socket open and
answers nothing, and no libpq timeout fires. The read then runs on a helper thread and the
chat's thread waits at most its timeout. The helpers are daemon threads (unlike
ThreadPoolExecutor's, which the interpreter joins at exit), so a stuck read never stops a chat
service from shutting down; the circuit breaker keeps further reads off the stuck server.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[Callable[..., Any], tuple[Any, ...], "Future[Any]"]


class Offload:
    """A few daemon threads that run submitted calls; started on first use."""

    def __init__(self, workers: int = 4, name: str = "promptsync-db") -> None:
        self.workers, self.name = workers, name
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._started = False
        self._lock = threading.Lock()

    def call(self, timeout: float, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) on a helper thread; TimeoutError when it has not answered in `timeout` s."""
        self._start()
        box: Future[T] = Future()
        self._jobs.put((fn, args, box))
        return box.result(timeout)

    def _start(self) -> None:
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            for i in range(self.workers):
                threading.Thread(target=self._work, name=f"{self.name}-{i}", daemon=True).start()
            self._started = True

    def _work(self) -> None:
        while True:
            fn, args, box = self._jobs.get()
            if not box.set_running_or_notify_cancel():
                continue
            try:
                box.set_result(fn(*args))
            except BaseException as exc:  # handed to the waiting caller, who decides
                box.set_exception(exc)
