"""/metrics and /healthz over HTTP, with a bounded number of connections, each timed out.

One thread runs an asyncio loop; a connection costs a descriptor and no thread. At most
`max_connections` are open: a new one pushes out the oldest (an idle probe or an attacker's
socket; a real scrape finishes in milliseconds), and one that has not sent its request within
`timeout` seconds is closed. So idle connections cannot take the descriptors a sync cycle needs
(git's pipes, the database's socket): with `ulimit -n 1024`, 1,007 idle connections used to end
the daemon on EMFILE. It listens on 127.0.0.1 unless `--metrics-host` says otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections import OrderedDict
from typing import Any

from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from promptsync.daemon.metrics import Metrics

log = logging.getLogger(__name__)
MAX_CONNECTIONS = 32
TIMEOUT = 5.0
MAX_REQUEST = 8192  # a GET with its headers; anything longer is not a probe
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           503: "Service Unavailable"}


class MetricsServer:
    """Serves /metrics (Prometheus text) and /healthz (200 ok or 503) from a daemon thread."""

    def __init__(self, metrics: Metrics, port: int, host: str = "127.0.0.1", *,
                 max_connections: int = MAX_CONNECTIONS, timeout: float = TIMEOUT) -> None:
        self.metrics = metrics
        self.max_connections, self.timeout = max_connections, timeout
        # Bound here, in the caller's thread, so a port in use is the caller's error.
        self._sock = socket.create_server((host, port), backlog=128)
        self.port = int(self._sock.getsockname()[1])
        self._open: OrderedDict[asyncio.StreamWriter, None] = OrderedDict()
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_quiet)
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="promptsync-metrics")

    def start(self) -> MetricsServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def close(self) -> None:
        if self._thread.is_alive() and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(10)
        self._sock.close()

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._handle, sock=self._sock, limit=MAX_REQUEST)
        self._ready.set()
        async with server:
            await self._stopping.wait()
        for writer in list(self._open):
            writer.transport.abort()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._admit(writer)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.timeout)
            writer.write(self._response(head))
            await asyncio.wait_for(writer.drain(), self.timeout)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass  # timed out, pushed out, too long or gone: nothing to answer
        finally:
            self._open.pop(writer, None)
            writer.transport.abort()

    def _admit(self, writer: asyncio.StreamWriter) -> None:
        self._open[writer] = None
        while len(self._open) > self.max_connections:
            oldest, _ = self._open.popitem(last=False)
            oldest.transport.abort()

    def _response(self, head: bytes) -> bytes:
        code, body, content_type = self._answer(head)
        return (f"HTTP/1.1 {code} {REASONS[code]}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body

    def _answer(self, head: bytes) -> tuple[int, bytes, str]:
        parts = head.split(b"\r\n", 1)[0].split()
        if len(parts) != 3:
            return 400, b"bad request\n", "text/plain"
        method, path = parts[0], parts[1].decode("latin-1")
        if method != b"GET":
            return 405, b"method not allowed\n", "text/plain"
        if path.startswith("/metrics"):
            return 200, generate_latest(self.metrics.registry), CONTENT_TYPE_LATEST
        if path.startswith("/healthz"):
            ok = self.metrics.healthy()
            return (200, b"ok\n", "text/plain") if ok else (503, b"stale\n", "text/plain")
        return 404, b"not found\n", "text/plain"


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio reports an accept that failed (EMFILE: it retries a second later) and aborted
    connections here; none of it is the daemon's concern beyond a debug line."""
    with contextlib.suppress(Exception):
        log.debug("metrics server: %s", context.get("message"), exc_info=context.get("exception"))
