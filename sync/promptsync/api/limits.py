"""Limits on what a request may send: a body cap enforced before the body is read whole, and
JSON bodies only where JSON is expected."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promptsync.api.problems import Problem, ProblemResponse

MAX_BODY_BYTES = 1024 * 1024  # a prompt file is at most 64 KiB; a webhook push far less


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body without Content-Length grows past the cap; FastAPI
    re-raises an HTTPException met while reading the body, so the handlers answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is over {limit:,} bytes; send less")


class BodyLimit:
    """Answer 413 for a body over `limit` bytes: at once when Content-Length says so, else as
    soon as the bytes received pass it (a chunked upload), never holding more in memory."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        return counted

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = Problem(413, "Content Too Large", f"the body is over {self.limit:,} bytes; "
                          "send less", type="content-too-large", headers={"Connection": "close"})
        request = Request(scope, receive)
        await ProblemResponse(problem.body(request.url.path), status_code=413,
                              headers=problem.headers)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def require_json(request: Request) -> None:
    """A dependency of the routes that take a JSON body: anything else is 415, with the fix."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and
                                       media.endswith("+json")):
        return
    shown = media or "none"
    raise Problem(415, "Unsupported Media Type", f"the body must be JSON, sent with "
                  f"`Content-Type: application/json` (this request's content type: {shown})",
                  type="unsupported-media-type")
