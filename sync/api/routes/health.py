"""Probes: /healthz (the process answers), /readyz (it can serve), /metrics (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_class=PlainTextResponse,
            summary="The process is up (liveness)")
async def healthz() -> str:
    return "ok\n"
