"""A real HTTP receiver of notifications on a loopback port, in a thread of the test process.

It records every request (headers and body) and answers with the statuses it was told, in
order, then 204. It can be stopped and started again on the same port (a receiver that was down
for a while). Waits are on a condition with a deadline.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.servers import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self, statuses: tuple[int, ...] = (), port: int | None = None) -> None:
        self.port = port or free_port()
        self.statuses = list(statuses)
        self.requests: list[Received] = []
        self._changed = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/promptsync"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._changed:
                    status = receiver.statuses.pop(0) if receiver.statuses else 204
                    receiver.requests.append(Received(self.path, dict(self.headers.items()),
                                                      body, status))
                    receiver._changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, predicate: Callable[[Received], bool], timeout: float = 30.0,
                 count: int = 1) -> list[Received]:
        """The first `count` requests matching `predicate`; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [r for r in self.requests if predicate(r)]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    kinds = [r.headers.get("X-Promptsync-Event") for r in self.requests]
                    raise AssertionError(f"no {count} matching requests within {timeout} s; "
                                         f"got {kinds}")
                self._changed.wait(min(left, 0.5))

    def events(self, kind: str) -> list[Received]:
        with self._changed:
            return [r for r in self.requests if r.headers.get("X-Promptsync-Event") == kind]
