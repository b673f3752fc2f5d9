"""The audit log over HTTP: who changed which prompt when, from git, with go-live times."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from promptsync.api.auth import Reader
from promptsync.api.context import Ctx, per_app
from promptsync.api.models import problem_responses
from promptsync.api.params import BRAND_SCHEMA, LOCALE_SCHEMA, TYPE_SCHEMA, check_brand
from promptsync.api.problems import Problem
from promptsync.api.routes._edit_io import AuditPageOut, audit_entry
from promptsync.errors import PromptSyncError
from promptsync.history.audit import MAX_LIMIT, AuditLog, AuditQuery, BadCursor
from promptsync.history.view import HistoryFilter, parse_when
from promptsync.locale import normalize
from promptsync.model import PromptType

router = APIRouter(tags=["audit"])
ActionName = Literal["create", "update", "delete", "rename", "rollback"]
AUDIT_LOCALE_SCHEMA = {"pattern": LOCALE_SCHEMA["pattern"].replace("^(", "^(base|")}
# What parse_when takes (datetime.fromisoformat), as tight as a pattern can say it.
_DATE = "[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?"
_ZONE = "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?"
WHEN_SCHEMA = {"pattern": f"^{_DATE}([T ]{_TIME}{_ZONE})?$"}


def audit_log(request: Request, ctx: Ctx) -> AuditLog:
    """One AuditLog per application: it keeps the history per commit."""
    return per_app(request, "audit_log",
                   lambda: AuditLog(ctx.settings.repo, ctx.settings.ref, ctx.engine))


@router.get("/v1/audit", response_model=AuditPageOut,
            responses=problem_responses(400, 401, 403, 503),
            summary="The audit log: every change of the prompts, newest first")
async def audit(caller: Reader, log: Annotated[AuditLog, Depends(audit_log)],
                brand: Annotated[str | None, Query(max_length=63,
                                                  json_schema_extra=BRAND_SCHEMA)] = None,
                type: Annotated[str | None, Query(max_length=40,
                                                 json_schema_extra=TYPE_SCHEMA)] = None,
                locale: Annotated[str | None, Query(
                    max_length=35, json_schema_extra=AUDIT_LOCALE_SCHEMA,
                    description="a locale's changes; `base`: the base texts'")] = None,
                author: Annotated[str | None, Query(max_length=200,
                                                   description="part of a name or e-mail")] = None,
                action: ActionName | None = None,
                since: Annotated[str | None, Query(max_length=40, json_schema_extra=WHEN_SCHEMA,
                                                  description="2026-11-24, or "
                                                              "2026-11-24T18:00")] = None,
                until: Annotated[str | None, Query(max_length=40,
                                                  json_schema_extra=WHEN_SCHEMA)] = None,
                limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
                cursor: Annotated[str | None, Query(
                    max_length=400, json_schema_extra={"pattern": "^[A-Za-z0-9_-]+=*$"},
                    description="a page's next_cursor, as given (400 for any other)")] = None
                ) -> JSONResponse:
    query = AuditQuery(_filter(brand, type, author, since, until), action,
                       _locale(locale), limit, cursor)
    try:
        page = await run_in_threadpool(log.read, query)
    except BadCursor as exc:
        raise Problem(400, "Bad Request", str(exc), type="bad-cursor") from None
    except PromptSyncError as exc:
        raise Problem(503, "Service Unavailable", str(exc), type="unavailable") from None
    out = AuditPageOut(entries=[audit_entry(c) for c in page.entries],
                       next_cursor=page.next_cursor).model_dump(mode="json")
    for entry in out["entries"]:
        if not entry["variants"]:  # a change without variants reads as before them
            del entry["variants"]
    return JSONResponse(out)


def _filter(brand: str | None, type_: str | None, author: str | None, since: str | None,
            until: str | None) -> HistoryFilter:
    if brand is not None:
        check_brand(brand)  # the one parser of a brand: 400 bad-brand, as every route says
    try:
        return HistoryFilter(brand=brand, type=PromptType.parse(type_) if type_ else None,
                             author=author, since=parse_when(since) if since else None,
                             until=parse_when(until, end_of_day=True) if until else None)
    except ValueError as exc:
        raise _bad(str(exc)) from None


def _locale(text: str | None) -> str | None:
    if text is None:
        return None
    if text == "base":
        return ""
    try:
        return normalize(text)
    except ValueError as exc:
        raise _bad(f"locale: {exc}") from None


def _bad(detail: str) -> Problem:
    return Problem(400, "Bad Request", detail, type="bad-query")

