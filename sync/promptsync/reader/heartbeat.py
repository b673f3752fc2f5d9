"""The reader's fleet report: who it is and what it serves, told to Redis by a background thread.

Every heartbeat, and at once when the memory tier's generation moves (so `promptsync fleet` can
say how long a publish took to reach this process), the thread writes the reader's report with
`REPORT_READER` (promptsync.cache.protocol), which stamps it with the Redis server's clock. It
reads what it reports (the generation and commit memory serves, when an event was last heard,
the breakers) from plain attributes, without a lock: `get` never waits for it and costs the same
with reporting on or off. A dead Redis is one warning; the report simply resumes. On a clean
stop it says goodbye (the fleet shows it gone at once); a killed process falls silent and its
lease runs out, and its connection closes with it: the fleet tells a dead process (gone) from
a frozen one (stale) by the connection the report is written on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from promptsync.cache.client import REDIS_ERRORS, connect
from promptsync.cache.protocol import (
    READER_KEEP_MS,
    REPORT_READER,
    ReaderReport,
    reader_connection,
    reader_key,
)
from promptsync.cache.protocol import report_fields as fields_of
from promptsync.credentials import redact
from promptsync.reader.memory import MemoryTier
from promptsync.reader.notices import Notices
from promptsync.version import package_version

logger = logging.getLogger("promptsync.reader")
TIMEOUT = 1.0  # a background call: generous next to the hot path's 50 ms
FIRST_REPORT_WAIT = 1.0  # the subscription usually comes up first: report what it says
GOODBYE_WAIT = 0.5  # what close() (or the exit) waits at most for the goodbye


def new_id(host: str, pid: int) -> str:
    """host:pid:random: readable in a listing, unique across restarts and forks."""
    return f"{host}:{pid}:{secrets.token_hex(3)}"


class Heartbeat:
    """Reports one reader; `tiers` says, when called, which tiers can answer now."""

    def __init__(self, url: str, service: str, every: float, memory: MemoryTier | None,
                 tiers: Callable[[], dict[str, str]], notices: Notices) -> None:
        self.url, self.service, self.every = url, service, every
        self.memory, self.tiers, self.notices = memory, tiers, notices
        self.version = package_version()
        self.host = socket.gethostname()
        self._fresh()

    def _fresh(self) -> None:
        """A new identity and thread state: at start, and in a forked child."""
        self.pid = os.getpid()
        self.id = new_id(self.host, self.pid)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: Any = None
        self._script: Any = None
        self._reported: int | None = None  # generation of the last report made while subscribed
        self._picked_up = False  # the generation moved since that report
        self._said = False  # reported at least once: a goodbye is due

    def start(self) -> Heartbeat:
        if self.memory is not None:
            self.memory.on_generation = self._wake.set
        self._thread = threading.Thread(target=self._run, name="promptsync-fleet", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float = 2.0) -> None:
        """Stop reporting; the thread says goodbye when it gets the chance within `wait`."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait)

    def restart_in_child(self) -> None:
        """In a forked child: the parent's thread and socket are not ours; report as ourselves."""
        self._fresh()
        self.start()

    def _run(self) -> None:
        self._wake.wait(FIRST_REPORT_WAIT)
        while not self._stop.is_set():
            self._wake.clear()
            self._send(closed=False)
            self._wake.wait(self.every)
        if self._said:
            self._send(closed=True)
        self._close()

    def report(self, closed: bool = False) -> ReaderReport:
        """What this reader says of itself now."""
        memory = self.memory
        generation = None if memory is None else memory.generation_seen
        heard = 0.0 if memory is None else memory.event_heard_at
        return ReaderReport(
            self.id, self.service, self.host, self.pid, self.version, generation,
            "" if memory is None else memory.commit_seen, self.tiers(), self.every,
            round(time.monotonic() - heard, 3) if heard else None, closed)

    def _send(self, closed: bool) -> None:
        report = self.report(closed)
        live = report.tiers.get("memory") == "ok"
        if self._reported is not None and report.generation != self._reported:
            self._picked_up = True
        try:
            self._call(report)
        except REDIS_ERRORS as exc:
            self.notices.warn_once(("fleet", type(exc).__name__), "fleet report to Redis at %s "
                                   "failed (%s: %s); reads go on, the report is tried again "
                                   "every %g s", redact(self.url),
                                   type(exc).__name__, redact(str(exc)), self.every)
            self._close()  # a new connection next time
            return
        # Only a move seen while subscribed is a pick-up: the first subscription is a start.
        self._reported = report.generation if live else None
        self._picked_up = False
        self._said = True

    def _call(self, report: ReaderReport) -> None:
        if self._client is None:
            self._client = connect(self.url, TIMEOUT, name=reader_connection(self.id))
            self._script = self._client.register_script(REPORT_READER)
        self._script(keys=[reader_key(report.id)],
                     args=[READER_KEEP_MS, "1" if self._picked_up else "0", *fields_of(report)])

    def _close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(*REDIS_ERRORS):
                client.close()
