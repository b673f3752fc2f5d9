"""GET /v1/status: the published commit, the last applied and attempted runs, the lag."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from promptsync.api.auth import Reader
from promptsync.api.context import ApiContext, Ctx
from promptsync.api.models import problem_responses
from promptsync.api.problems import Problem
from promptsync.store.engine import first_line
from promptsync.store.state import last_runs, read_state, status_dict

router = APIRouter(prefix="/v1", tags=["status"])


class StatusOut(BaseModel):
    published: dict[str, Any] = Field(description="commit and generation the database holds")
    last_applied: dict[str, Any] | None = Field(description="the last run that published")
    last_attempted: dict[str, Any] | None = Field(description="the last run of any outcome; "
                                                  "its error says why a newer commit is not "
                                                  "live")
    seconds_since_last_good_sync: float | None = Field(
        description="since the in-process daemon last found the database matching the branch "
                    "(null when no daemon runs in this process, or before its first good cycle)")
    daemon_in_process: bool


@router.get("/status", response_model=StatusOut, responses=problem_responses(401, 403, 503),
            summary="What is published, and the last syncs")
async def status(ctx: Ctx, caller: Reader) -> dict[str, Any]:
    return await asyncio.to_thread(_status, ctx)


def _status(ctx: ApiContext) -> dict[str, Any]:
    try:
        found = status_dict(read_state(ctx.engine), *last_runs(ctx.engine))
    except SQLAlchemyError as exc:
        raise Problem(503, "Database unreachable", first_line(exc), type="unavailable") from None
    daemon = ctx.daemon_metrics
    since = daemon.seconds_since_good() if daemon is not None else -1.0
    found["seconds_since_last_good_sync"] = round(since, 3) if since >= 0 else None
    found["daemon_in_process"] = daemon is not None
    return found
