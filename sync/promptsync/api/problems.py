"""Every error as an RFC 9457 problem document (`application/problem+json`).

Routes raise `Problem(status, title, detail, type=..., **extensions)`; `install` makes the one
set of handlers that also turns FastAPI's request validation errors, Starlette's HTTP errors
(an unknown path, a wrong method), a database that cannot answer (503) and any unexpected
exception into problem documents. No response carries a traceback or echoes the input back: a
10 MB value stays on the server.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from promptsync.api.methods import allowed_methods
from promptsync.store.engine import first_line, schema_missing, unavailable

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:promptsync:problem:"


class Problem(Exception):
    """An answer other than success: status, a short title, a detail that says what to fix,
    an optional `type` (a slug, e.g. "not-found", or a full URI) and extension members."""

    def __init__(self, status: int, title: str, detail: str = "", *, type: str | None = None,
                 headers: Mapping[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.headers = dict(headers or {})
        self.extensions = extensions

    @property
    def type_uri(self) -> str:
        if self.type is None:
            return "about:blank"
        return self.type if ":" in self.type else TYPE_PREFIX + self.type

    def body(self, instance: str) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type_uri, "title": self.title,
                                "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        body["instance"] = instance
        body.update(self.extensions)
        return body


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


def respond(problem: Problem, request: Request) -> ProblemResponse:
    return ProblemResponse(problem.body(request.url.path), status_code=problem.status,
                           headers=problem.headers)


async def _on_problem(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, Problem)
    return respond(exc, request)


async def _on_validation(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    return respond(validation_problem(exc.errors()), request)


async def _on_http(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = exc.headers
    if exc.status_code == 405:  # every method of the path, not only the first route's
        allowed = allowed_methods(request.app.router.routes, request.scope)
        headers = {**(headers or {}), "Allow": ", ".join(allowed)}
    return respond(http_problem(exc.status_code, exc.detail, headers), request)


async def _on_database(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, SQLAlchemyError)
    if not unavailable(exc):  # a statement the database refused is ours to fix
        return await _on_unexpected(request, exc)
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                first_line(exc))
    return respond(database_problem(exc), request)


def database_problem(exc: SQLAlchemyError) -> Problem:
    """503 for a database that cannot answer: unreachable, or without promptsync's tables."""
    detail = ("the database has no promptsync tables yet (the sync daemon creates them)"
              if schema_missing(exc) else f"the database is unreachable: {first_line(exc)}")
    return Problem(503, "Database unavailable", detail, type="unavailable",
                   headers={"Retry-After": "5"})


async def _on_unexpected(request: Request, exc: Exception) -> ProblemResponse:
    # The traceback goes to the server's log (a bug to fix), never to the client.
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return respond(Problem(500, "Internal Server Error", "an unexpected error on the server; "
                           "it is logged there. This is a bug: please report it.",
                           type="internal"), request)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(SQLAlchemyError, _on_database)
    app.add_exception_handler(Exception, _on_unexpected)


def http_problem(status: int, detail: Any = None,
                 headers: Mapping[str, str] | None = None) -> Problem:
    """Starlette's own errors (no route, wrong method, a body over the cap) as problems."""
    phrase = _phrase(status)
    text = detail if isinstance(detail, str) and detail != phrase else ""
    if status == 404 and not text:
        text = "no such endpoint; the API is under /v1 (see /docs)"
    if status == 405 and not text:
        allowed = (headers or {}).get("Allow", "")
        text = f"this endpoint answers {allowed}" if allowed else "method not allowed here"
    return Problem(status, phrase, text, type=phrase.lower().replace(" ", "-"), headers=headers)


def validation_problem(errors: Sequence[Any]) -> Problem:
    """FastAPI's validation errors: malformed JSON is 400, the rest 422, each error as
    {where, message}, without the input (which may be huge or secret)."""
    for err in errors:
        if err.get("type") == "json_invalid":
            where = err.get("loc", ("body", 0))
            position = where[1] if len(where) > 1 else 0
            reason = (err.get("ctx") or {}).get("error", "invalid JSON")
            return Problem(400, "Malformed JSON", f"the body is not valid JSON: {reason} "
                           f"(at character {position})", type="malformed-json")
    listed = [{"where": _where(err.get("loc", ())), "message": str(err.get("msg", ""))}
              for err in errors[:20]]
    first = listed[0] if listed else {"where": "request", "message": "invalid"}
    return Problem(422, "Invalid request", f"{first['where']}: {first['message']}",
                   type="invalid-request", errors=listed)


def _where(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
