"""Probes: /healthz (the process answers), /readyz (it can serve), /metrics (Prometheus)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from promptsync.api.context import ApiContext, Ctx
from promptsync.api.models import problem_responses
from promptsync.api.problems import Problem
from promptsync.store.engine import first_line
from promptsync.store.state import has_tables, published_generation

router = APIRouter(tags=["health"])


@router.get("/healthz", response_class=PlainTextResponse,
            summary="The process is up (liveness)")
async def healthz() -> str:
    return "ok\n"


@router.get("/readyz", summary="The API can serve: the database answers and the in-process "
            "daemon reaches its servers", responses=problem_responses(503))
async def readyz(ctx: Ctx) -> JSONResponse:
    checks = {"database": await asyncio.to_thread(_database, ctx), "daemon": _daemon(ctx)}
    failing = {name: text for name, text in checks.items() if text not in ("ok", "not here")}
    if failing:
        raise Problem(503, "Not ready", "; ".join(f"{k}: {v}" for k, v in failing.items()),
                      type="not-ready", checks=checks)
    return JSONResponse({"status": "ready", "checks": checks})


@router.get("/metrics", response_class=PlainTextResponse,
            summary="Prometheus metrics: requests by route and status, reader, daemon")
async def metrics(request: Request, ctx: Ctx) -> Response:
    daemon = ctx.daemon_metrics.registry if ctx.daemon_metrics is not None else None
    return Response(request.app.state.metrics.exposition(daemon),
                    media_type=CONTENT_TYPE_LATEST)


def _database(ctx: ApiContext) -> str:
    try:
        if not has_tables(ctx.engine):
            return "no promptsync tables yet (the daemon creates them)"
        found = published_generation(ctx.engine)
    except SQLAlchemyError as exc:
        return f"unreachable ({first_line(exc)})"
    return "ok" if found is not None else "no published commit yet (the daemon writes it)"


def _daemon(ctx: ApiContext) -> Any:
    daemon = ctx.daemon_metrics
    if daemon is None:
        return "not here"
    if daemon.healthy():
        return "ok"
    return (f"no sync cycle reached git and the database within {daemon.stale_after:g} s, or "
            "three in a row failed")
