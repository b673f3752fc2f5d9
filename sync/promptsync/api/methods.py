"""Which methods a path answers, from the application's routes: the `Allow` of a 405 and the
answer to OPTIONS (RFC 9110).

Starlette's own 405 names the methods of the first route whose path matched, so a PATCH of
`/v1/prompts/{brand}/{type}` was told `Allow: GET` though PUT and DELETE are there too; and
OPTIONS was a 405 itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.routing import iter_route_contexts
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
STATIC = frozenset({"GET", "HEAD"})  # what a mounted folder of files answers


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route answers at `scope`'s path, OPTIONS included; [] for none.
    (FastAPI nests included routers; `iter_route_contexts` is its public walk of them.)"""
    found: set[str] = set()
    for route in iter_route_contexts(list(routes)):
        if not isinstance(route.original_route, Route | Mount):
            continue
        match, _ = route.matches({**scope, "type": "http"})
        if match is Match.NONE:
            continue
        found |= (route.methods or set()) if isinstance(route.original_route, Route) else STATIC
    if not found:
        return []
    found.add("OPTIONS")
    return sorted(found, key=lambda m: (ORDER.index(m) if m in ORDER else len(ORDER), m))


class Options:
    """Answer OPTIONS on a path some route serves: 204 with `Allow`; elsewhere, pass on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            allowed = allowed_methods(scope["app"].router.routes, scope)
            if allowed:
                await Response(status_code=204, headers={"Allow": ", ".join(allowed)})(
                    scope, receive, send)
                return
        await self.app(scope, receive, send)
