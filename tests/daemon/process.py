"""A real `promptsync sync` child process that a test can wait on line by line, and that is
always killed: `with DaemonProcess(...) as d:` ends with the child dead, whatever failed.

Its stderr (and stdout) are read by threads into lists, so a wait is on the line the test needs
(`promptsync: paused at committed`, a log line) with a deadline, never a bare `readline()` that
blocks for as long as the child stays silent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from tests.support.gitrepo import PROJECT_ROOT

KILL_WAIT = 10.0


class DaemonProcess:
    """`python -m promptsync sync --repo REPO --db DB [--redis URL] EXTRA...` as a child."""

    def __init__(self, repo: Any, db: str, redis_url: str | None, *extra: str,
                 env: dict[str, str] | None = None,
                 preexec_fn: Callable[[], None] | None = None) -> None:
        args = [sys.executable, "-m", "promptsync", "sync", "--repo",
                str(getattr(repo, "path", repo)), "--db", db, *extra]
        if redis_url:
            args += ["--redis", redis_url]
        full_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}
        self.args = args
        self.err: list[str] = []
        self.out: list[str] = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(args, env=full_env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._pumps = [threading.Thread(target=self._pump, args=(stream, into), daemon=True)
                       for stream, into in ((self.proc.stderr, self.err),
                                            (self.proc.stdout, self.out))]
        for pump in self._pumps:
            pump.start()

    def __enter__(self) -> DaemonProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _pump(self, stream: IO[str], into: list[str]) -> None:
        for line in stream:
            with self._changed:
                into.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def stderr(self) -> str:
        with self._changed:
            return "".join(self.err)

    def count(self, text: str) -> int:
        """How many stderr lines so far contain `text`."""
        with self._changed:
            return sum(text in line for line in self.err)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """The first stderr line holding `text`; AssertionError (with the output so far) when
        the child exits or `timeout` passes first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((line for line in self.err if text in line), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._pumping()):
                    raise AssertionError(f"no line with {text!r} from {self.args[3:]}, "
                                         f"exit {self.proc.poll()}:\n{''.join(self.err)}")
                self._changed.wait(min(left, 0.5))

    def until(self, predicate: Callable[[], object], timeout: float = 60.0) -> None:
        """Poll `predicate` until true; fail at once, with the child's stderr, if it exits."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"the daemon exited with {self.proc.returncode}:\n"
                                     f"{self.stderr()}")
            try:
                if predicate():
                    return
            except Exception:  # a server still starting; the deadline decides
                if time.monotonic() > deadline:
                    raise
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s:\n{self.stderr()}")
            time.sleep(0.05)

    def _pumping(self) -> bool:
        return any(pump.is_alive() for pump in self._pumps)

    def send(self, signum: int) -> None:
        if self.alive():
            self.proc.send_signal(signum)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send `signum` and wait for the exit code (the child is killed if it does not go)."""
        self.send(signum)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise AssertionError(f"{self.args[3:]} did not exit within {timeout} s of "
                                 f"signal {signum}:\n{self.stderr()}") from None

    def close(self) -> None:
        """Kill the child if it still runs, reap it, and stop reading its output."""
        if self.alive():
            self.proc.send_signal(signal.SIGCONT)  # a stopped child must be able to die
            self.proc.kill()
        try:
            self.proc.wait(KILL_WAIT)
        finally:
            for pump in self._pumps:
                pump.join(KILL_WAIT)
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()

