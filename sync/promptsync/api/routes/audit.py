"""The audit log over HTTP: who changed which prompt when, from git, with go-live times."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from promptsync.api.auth import Reader
from promptsync.api.context import Ctx, per_app
from promptsync.api.models import problem_responses
from promptsync.api.problems import Problem
from promptsync.api.routes._edit_io import AuditPageOut, audit_entry
from promptsync.errors import PromptSyncError
from promptsync.history.audit import MAX_LIMIT, AuditLog, AuditQuery, BadCursor
from promptsync.history.view import HistoryFilter, parse_when
from promptsync.locale import normalize
from promptsync.model import BRAND_RE, PromptType

router = APIRouter(tags=["audit"])
ActionName = Literal["create", "update", "delete", "rename", "rollback"]


def audit_log(request: Request, ctx: Ctx) -> AuditLog:
    """One AuditLog per application: it keeps the history per commit."""
    return per_app(request, "audit_log",
                   lambda: AuditLog(ctx.settings.repo, ctx.settings.ref, ctx.engine))


@router.get("/v1/audit", response_model=AuditPageOut,
            responses=problem_responses(400, 401, 403, 503),
            summary="The audit log: every change of the prompts, newest first")
async def audit(caller: Reader, log: Annotated[AuditLog, Depends(audit_log)],
                brand: Annotated[str | None, Query(max_length=63)] = None,
                type: Annotated[str | None, Query(max_length=40)] = None,
                locale: Annotated[str | None, Query(max_length=35)] = None,
                author: Annotated[str | None, Query(max_length=200,
                                                   description="part of a name or e-mail")] = None,
                action: ActionName | None = None,
                since: Annotated[str | None, Query(max_length=40, description="2026-11-24")] = None,
                until: Annotated[str | None, Query(max_length=40)] = None,
                limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
                cursor: Annotated[str | None, Query(max_length=400)] = None) -> AuditPageOut:
    query = AuditQuery(_filter(brand, type, author, since, until), action,
                       _locale(locale), limit, cursor)
    try:
        page = await run_in_threadpool(log.read, query)
    except BadCursor as exc:
        raise Problem(400, "Bad Request", str(exc), type="bad-cursor") from None
    except PromptSyncError as exc:
        raise Problem(503, "Service Unavailable", str(exc), type="unavailable") from None
    return AuditPageOut(entries=[audit_entry(c) for c in page.entries],
                        next_cursor=page.next_cursor)


def _filter(brand: str | None, type_: str | None, author: str | None, since: str | None,
            until: str | None) -> HistoryFilter:
    if brand is not None and not BRAND_RE.fullmatch(brand):
        raise _bad(f"brand {brand!r} is not a brand (lower-case letters, digits and -)")
    try:
        return HistoryFilter(brand=brand, type=PromptType.parse(type_) if type_ else None,
                             author=author, since=parse_when(since) if since else None,
                             until=parse_when(until, end_of_day=True) if until else None)
    except ValueError as exc:
        raise _bad(str(exc)) from None


def _locale(text: str | None) -> str | None:
    if text is None:
        return None
    if text in ("", "base"):
        return ""
    try:
        return normalize(text)
    except ValueError as exc:
        raise _bad(f"locale: {exc}") from None


def _bad(detail: str) -> Problem:
    return Problem(400, "Bad Request", detail, type="bad-query")

