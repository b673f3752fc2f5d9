"""Serve the editors' page: `/` is the HTML, `/ui/...` its CSS and JavaScript modules.

The files are package data: no build step, nothing loaded from another host (deployments are
often offline). The page runs under a Content-Security-Policy that allows scripts and styles
from this origin only (no inline script, no inline style, no `eval`) and lets it talk to this
origin only, so even a template that slipped past the page's text-only rendering could not run.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # The page and its modules change with the package: always revalidate (ETag makes it cheap).
    "Cache-Control": "no-cache",
}


class PageFiles(StaticFiles):
    """StaticFiles whose answers carry the page's security headers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def install_page(app: FastAPI) -> None:
    """Add the page to `app`: `/` and `/ui/...` (neither in the OpenAPI document)."""
    app.mount("/ui", PageFiles(directory=STATIC_DIR), name="ui")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                            headers=HEADERS)
