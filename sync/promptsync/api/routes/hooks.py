"""POST /v1/hooks/github: a GitHub push webhook that starts a sync cycle at once.

The signature (`X-Hub-Signature-256`, HMAC-SHA256 of the body with PROMPTSYNC_WEBHOOK_SECRET)
is the only credential: it is compared in constant time, and a bad one is logged as a security
event with where it came from, never with the secret or the body. The body is capped (1 MiB,
BodyLimit) before it is read whole. A delivery seen within the last hour (`X-GitHub-Delivery`:
GitHub's "Redeliver", or a replay of a captured request) starts no second sync.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from promptsync.api.context import Ctx
from promptsync.api.models import problem_responses
from promptsync.api.problems import Problem
from promptsync.lru import LRU
from promptsync.settings import WEBHOOK_SECRET_ENV

router = APIRouter(prefix="/v1", tags=["hooks"])
security_log = logging.getLogger("promptsync.api.security")
DEDUPE_SECONDS = 3600.0
DEDUPE_ENTRIES = 10_000
_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "GitHub's push (or ping) event payload"}}}}


@router.post("/hooks/github", status_code=202, openapi_extra={"requestBody": _BODY},
             responses={200: {"description": "a ping, or an event that needs no sync"},
                        **problem_responses(400, 401, 413, 415, 503)},
             summary="GitHub webhook: a push to the followed branch syncs at once")
async def github(request: Request, ctx: Ctx,
                 x_github_event: Annotated[str | None, Header()] = None,
                 x_hub_signature_256: Annotated[str | None, Header()] = None,
                 x_github_delivery: Annotated[str | None, Header()] = None) -> JSONResponse:
    secret = ctx.settings.webhook_secret
    if not secret:
        raise Problem(503, "Webhook not configured", f"set {WEBHOOK_SECRET_ENV} to the secret of "
                      "the GitHub webhook and restart `promptsync serve`", type="webhook-disabled")
    body = await request.body()
    if not _signed(body, secret, x_hub_signature_256):
        security_log.warning("security: GitHub webhook refused, bad or missing "
                             "X-Hub-Signature-256 (from %s, event %s, delivery %s)",
                             request.client.host if request.client else "?",
                             (x_github_event or "-")[:40], (x_github_delivery or "-")[:64])
        raise Problem(401, "Bad signature", "X-Hub-Signature-256 does not match the body "
                      f"signed with the webhook secret ({WEBHOOK_SECRET_ENV})",
                      type="bad-signature")
    return _answer(ctx, x_github_event or "", _payload(request, body),
                   lambda: _deliveries(request).first(x_github_delivery or ""))


class Deliveries:
    """The delivery ids seen within the last `window` seconds, at most DEDUPE_ENTRIES."""

    def __init__(self, window: float = DEDUPE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.clock = window, clock
        self._seen: LRU[str, float] = LRU(DEDUPE_ENTRIES)

    def first(self, delivery: str) -> bool:
        """Whether `delivery` is new within the window (it is remembered); no id: always."""
        if not delivery:
            return True
        now = self.clock()
        seen = self._seen.get(delivery)
        if seen is not None and now - seen < self.window:
            return False
        self._seen.put(delivery, now)
        return True


def _deliveries(request: Request) -> Deliveries:
    # One per application; the event loop's one thread makes the check-then-set atomic.
    found: Deliveries | None = getattr(request.app.state, "webhook_deliveries", None)
    if found is None:
        found = request.app.state.webhook_deliveries = Deliveries()
    return found


def _signed(body: bytes, secret: str, header: str | None) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(expected.encode(),
                                                      header.strip().encode("utf-8", "replace"))


def _payload(request: Request, body: bytes) -> dict[str, Any]:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise Problem(415, "Unsupported Media Type", "set the webhook's content type to "
                      "application/json in GitHub's webhook settings",
                      type="unsupported-media-type")
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise Problem(400, "Malformed JSON", f"the payload is not JSON: {exc}",
                      type="malformed-json") from None
    except RecursionError:  # a validly signed body can still be built to exhaust the stack
        raise Problem(400, "Malformed JSON", "the payload is nested too deeply to be GitHub's",
                      type="malformed-json") from None
    if not isinstance(value, dict):
        raise Problem(400, "Malformed payload", "the payload is not a JSON object",
                      type="malformed-json")
    return value


def _answer(ctx: Ctx, event: str, payload: dict[str, Any],
            first_delivery: Callable[[], bool]) -> JSONResponse:
    if event == "ping":
        return JSONResponse({"pong": True, "zen": str(payload.get("zen", ""))}, status_code=200)
    followed = f"refs/heads/{ctx.settings.ref}"
    if event != "push":
        return JSONResponse({"ignored": f"event {event[:40]!r} needs no sync"}, status_code=200)
    if payload.get("ref") != followed:
        return JSONResponse({"ignored": f"a push to {str(payload.get('ref'))[:200]}; this "
                             f"server follows {followed}"}, status_code=200)
    if not first_delivery():
        return JSONResponse({"ignored": "this delivery was handled already (a redelivery or a "
                             "replay): no second sync", "duplicate": True}, status_code=200)
    ctx.wake_daemon()
    return JSONResponse({"accepted": True, "ref": followed,
                         "after": str(payload.get("after", ""))[:64]}, status_code=202)
