"""`create_app(ctx)`: the FastAPI application of `promptsync serve`.

The routers are found, not listed: every module of `promptsync.api.routes` that defines a
`router` is included (in ROUTE_ORDER, then by name), so a new group of routes is one new file.
Each router carries its own paths (`/v1/...`, or `/healthz` for the probes).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from promptsync.api import routes
from promptsync.api.context import ApiContext
from promptsync.api.hosts import HostCheck
from promptsync.api.limits import BodyLimit
from promptsync.api.methods import Options
from promptsync.api.metrics import ApiMetrics, MetricsMiddleware
from promptsync.api.openapi import install_document
from promptsync.api.params import EmptyAsAbsent
from promptsync.api.previews import Previews
from promptsync.api.problems import install
from promptsync.api.served import ServedPrompts
from promptsync.api.snapshot import BranchFiles
from promptsync.fleet.metrics import FleetCollector
from promptsync.fleet.source import FleetSource
from promptsync.fleet.view import resolve_grace
from promptsync.version import package_version
from promptsync.web import install_page

ROUTE_ORDER = ("prompts", "preview", "edits", "audit", "status", "fleet", "hooks", "health")
# Swagger UI 5 (OpenAPI 3.1), shipped as package data by fastapi-offline: no CDN, so /docs
# works on a machine without internet access.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DESCRIPTION = """Chatbot prompts as files in git, behind HTTP: read what the runtime serves,
preview drafts, edit (each edit a git commit; 409 on a stale version), the audit log.

Errors are `application/problem+json` (RFC 9457). Keys: `Authorization: Bearer <key>` from
`promptsync keys add`."""


def create_app(ctx: ApiContext) -> FastAPI:
    app = FastAPI(title="promptsync", version=package_version(), description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.ctx = ctx
    app.state.served = ServedPrompts(ctx.reader, ctx.engine)
    app.state.previews = Previews(BranchFiles(ctx.settings.repo, ctx.settings.ref))
    app.state.metrics = ApiMetrics()
    app.state.fleet = fleet_source(ctx, app.state.metrics.registry)
    install(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(Options)
    app.add_middleware(EmptyAsAbsent)
    app.add_middleware(HostCheck, allowed=ctx.settings.allowed_hosts)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    for router in route_modules():
        app.include_router(router)
    _add_docs(app)
    install_document(app)
    install_page(app)  # the editors' page at /
    return app


def fleet_source(ctx: ApiContext, registry: CollectorRegistry) -> FleetSource | None:
    """With Redis: where GET /v1/fleet and /metrics read the fleet."""
    if ctx.settings.redis_url is None:
        return None
    source = FleetSource(ctx.settings.redis_url, ctx.engine, resolve_grace(None))
    registry.register(FleetCollector(source))
    return source


def route_modules() -> list[APIRouter]:
    """The `router` of every module in promptsync.api.routes, in ROUTE_ORDER then by name."""
    names = [m.name for m in pkgutil.iter_modules(routes.__path__) if not m.name.startswith("_")]
    ordered = sorted(names, key=lambda n: (ROUTE_ORDER.index(n) if n in ROUTE_ORDER
                                           else len(ROUTE_ORDER), n))
    found = []
    for name in ordered:
        router = getattr(importlib.import_module(f"{routes.__name__}.{name}"), "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def _add_docs(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="promptsync API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon.png")
