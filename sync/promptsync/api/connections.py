"""How `promptsync serve` holds its connections under slow or abusive clients.

Issue 18: 1,100 connections that sent half a request head and then nothing held every file
descriptor of a process limited to 1,024 (uvicorn never times out a request head), so
`/healthz` went unanswered for the whole attack while asyncio logged a traceback per failed
accept (216 MB in 36 s). Here:

- a request head must arrive whole within HEADER_SECONDS of the connection opening (or of the
  previous response, on a kept-alive connection), and may hold MAX_HEADER_BYTES;
- the connections held stay below a budget derived from the descriptor limit (RLIMIT_NOFILE):
  one more evicts the connection that has waited longest for a request head, so a client that
  sends its request at once is served even while the budget is full of slow ones;
- asyncio accepts at most ACCEPT_BATCH connections per turn of the loop, so the budget plus
  what one turn can add stays under the limit;
- "socket.accept() out of system resource" is logged once a minute at most, with a count.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import time
from collections import OrderedDict
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)
HEADER_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
MAX_HEADER_BYTES = 16 * 1024
ACCEPT_BATCH = 100
# Descriptors kept for the process itself: database pools, Redis, git children and their
# pipes, the log, the event loop; and two accept batches in flight (accepted, evicted).
RESERVED_DESCRIPTORS = 128 + 2 * ACCEPT_BATCH
MIN_CONNECTIONS = 16
ACCEPT_FAILED = "socket.accept() out of system resource"
LOG_EVERY_SECONDS = 60.0


def connection_budget(limit: int | None = None) -> int:
    """How many connections the server holds at most: the descriptor limit less a reserve."""
    if limit is None:
        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if limit == resource.RLIM_INFINITY:
        limit = 1 << 20
    return max(MIN_CONNECTIONS, limit - RESERVED_DESCRIPTORS)


class Waiting:
    """The connections waiting for a request head, oldest first; and how many are open."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.open = 0
        self.queue: OrderedDict[GuardedH11Protocol, None] = OrderedDict()

    def evict_oldest(self) -> bool:
        """Close the connection that waited longest; False when none waits."""
        if not self.queue:
            return False
        oldest, _ = self.queue.popitem(last=False)
        oldest.drop()
        return True


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the request head and the connection budget;
    `guarded_protocol` makes the subclass that carries one server's `Waiting`."""

    waiting: Waiting
    header_seconds: float

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        self._counted = False
        if self.waiting.open >= self.waiting.budget and not self.waiting.evict_oldest():
            transport.abort()  # every connection held has a request in flight: shed this one
            return
        self.waiting.open += 1
        self._counted = True
        super().connection_made(transport)
        self._wait_for_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head arrived (or the request failed)
            self._stop_waiting()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        if self._counted:
            self._counted = False
            self.waiting.open -= 1
        if self.transport is not None:
            super().connection_lost(exc)

    def drop(self) -> None:
        """Evicted: closed now, and no longer counted against the budget."""
        self._stop_waiting()
        if self._counted:
            self._counted = False
            self.waiting.open -= 1
        self.transport.abort()

    def _wait_for_head(self) -> None:
        self._stop_waiting()
        self.waiting.queue[self] = None
        self._deadline = self.loop.call_later(self.header_seconds, self._head_too_slow)

    def _stop_waiting(self) -> None:
        self.waiting.queue.pop(self, None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_too_slow(self) -> None:
        self._deadline = None
        self.waiting.queue.pop(self, None)
        self.transport.abort()


def guarded_protocol(budget: int, header_seconds: float) -> type[GuardedH11Protocol]:
    """A protocol class for one server, its connections counted against `budget`."""
    made: type[GuardedH11Protocol] = type("GuardedH11Protocol", (GuardedH11Protocol,), {
        "waiting": Waiting(budget), "header_seconds": header_seconds})
    return made


class AcceptFailures:
    """The event loop's exception handler: an accept that failed for want of descriptors is
    logged once a minute at most; anything else goes to the loop's default handler."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.unlogged = 0
        self.logged_at: float | None = None

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") != ACCEPT_FAILED:
            loop.default_exception_handler(context)
            return
        self.unlogged += 1
        now = time.monotonic()
        if self.logged_at is not None and now - self.logged_at < LOG_EVERY_SECONDS:
            return
        log.warning("cannot accept connections (%s; %d time(s) since this was last said): "
                    "the process is out of file descriptors; it holds at most %d connections "
                    "and closes those slowest to send a request (raise `ulimit -n` for more)",
                    context.get("exception"), self.unlogged, self.budget)
        self.unlogged, self.logged_at = 0, now


class GuardedServer(uvicorn.Server):
    """uvicorn's server with AcceptFailures as its event loop's exception handler."""

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        budget = connection_budget()
        asyncio.get_running_loop().set_exception_handler(AcceptFailures(budget))
        await super().serve(sockets=sockets)


def guarded_config(app: Any, *, header_seconds: float = HEADER_SECONDS,
                   **options: Any) -> uvicorn.Config:
    """uvicorn's Config for `app` with the limits above (`options` passed on). uvicorn's own
    `limit_concurrency` (503 past it) sits between the budget and the descriptor limit: it
    bounds the requests in flight, and never turns away a client the budget made room for."""
    budget = connection_budget()
    protocol: type[asyncio.Protocol] = guarded_protocol(budget, header_seconds)
    return uvicorn.Config(app, http=protocol, limit_concurrency=budget + ACCEPT_BATCH,
                          backlog=ACCEPT_BATCH, timeout_keep_alive=KEEP_ALIVE_SECONDS,
                          h11_max_incomplete_event_size=MAX_HEADER_BYTES, **options)
