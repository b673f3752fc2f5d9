"""GET /v1/fleet: every reader process, what it serves and whether it keeps up; the document
`promptsync fleet --format json` prints."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from promptsync.api.auth import Reader
from promptsync.api.models import problem_responses
from promptsync.api.problems import Problem
from promptsync.errors import UnreachableError
from promptsync.fleet.source import FleetSource

router = APIRouter(prefix="/v1", tags=["fleet"])
NO_REDIS = ("the fleet needs Redis: readers report themselves there (without Redis they poll "
            "the database and write nothing); start the server with --redis URL")


class FleetOut(BaseModel):
    available: bool = Field(description="false when this server has no Redis to read it from")
    reason: str | None = Field(None, description="why it is not available")
    published: dict[str, Any] | None = Field(None, description="generation, commit and the "
                                             "Redis server's time (ms) it was published at")
    grace_seconds: float | None = None
    summary: str | None = Field(None, description="e.g. 37 readers in 4 services: all serve "
                                "3f2a1c9 (generation 12), converged 84 ms after publish")
    convergence_seconds: float | None = None
    counts: dict[str, int] = Field(default_factory=dict, description="readers by state: "
                                   "synced, syncing, stale, gone")
    readers: list[dict[str, Any]] = Field(default_factory=list, description="id, service, "
                                          "host, pid, version, generation, commit, state, "
                                          "why, tiers, picked_up_seconds, ...")


@router.get("/fleet", response_model=FleetOut, responses=problem_responses(401, 403, 503),
            summary="Every reader process, what it serves, and whether it keeps up")
async def fleet(request: Request, caller: Reader,
                service: str | None = Query(None, max_length=200,
                                            description="only this service's readers")
                ) -> dict[str, Any]:
    source: FleetSource | None = request.app.state.fleet
    if source is None:
        return {"available": False, "reason": NO_REDIS}
    try:
        found = await asyncio.to_thread(source.look)
    except UnreachableError as exc:
        raise Problem(503, "Fleet unreadable", str(exc), type="unavailable") from None
    return found.only(service).as_dict()
