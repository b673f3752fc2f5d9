"""Prometheus metrics of the API: requests by method, route template and status, and their
latency; /metrics shows them with the reader's and, when it runs in this process, the daemon's.

Labelled by the route's template (`/v1/prompts/{brand}/{type}`, else `unmatched`), never the raw
path, and by the method only when it is one HTTP defines (else `other`): a label per brand name
or method name a client makes up would grow without bound (issue 18: 20,000 made-up methods
grew /metrics to 52 MiB).
"""

from __future__ import annotations

import time

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# RFC 9110's methods and PATCH; any other token a client sends is counted as `other`.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
                     "PATCH"})
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class ApiMetrics:
    """One registry per application, so several apps (or tests) in a process never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("promptsync_http_requests", "HTTP requests by method, route "
                                "template and status", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("promptsync_http_request_duration_seconds", "HTTP request "
                                 "latency by method and route template", ["method", "route"],
                                 buckets=BUCKETS, registry=self.registry)

    def exposition(self, *others: CollectorRegistry | None) -> bytes:
        """The text of this registry, the process's (the reader's metrics) and `others`."""
        parts = [generate_latest(self.registry), generate_latest(REGISTRY)]
        parts += [generate_latest(r) for r in others if r is not None]
        return b"".join(parts)


class MetricsMiddleware:
    """Counts and times every HTTP request; cheap enough for the hot path (no BaseHTTPMiddleware,
    label children looked up once)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self._children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"] if scope["method"] in METHODS else "other"
        key = (method, route, str(status))
        children = self._children.get(key)
        if children is None:
            children = (self.metrics.requests.labels(*key),
                        self.metrics.latency.labels(key[0], route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
