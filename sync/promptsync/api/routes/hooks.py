"""POST /v1/hooks/github: a GitHub push webhook that starts a sync cycle at once.

The signature (`X-Hub-Signature-256`, HMAC-SHA256 of the body with PROMPTSYNC_WEBHOOK_SECRET)
is the only credential: it is compared in constant time, and a bad one is logged as a security
event with where it came from, never with the secret or the body. The body is capped (1 MiB,
BodyLimit) before it is read whole.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from promptsync.api.context import Ctx
from promptsync.api.models import problem_responses
from promptsync.api.problems import Problem

router = APIRouter(prefix="/v1", tags=["hooks"])
security_log = logging.getLogger("promptsync.api.security")
SECRET_ENV = "PROMPTSYNC_WEBHOOK_SECRET"
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
        raise Problem(503, "Webhook not configured", f"set {SECRET_ENV} to the secret of the "
                      "GitHub webhook and restart `promptsync serve`", type="webhook-disabled")
    body = await request.body()
    if not _signed(body, secret, x_hub_signature_256):
        security_log.warning("security: GitHub webhook refused, bad or missing "
                             "X-Hub-Signature-256 (from %s, event %s, delivery %s)",
                             request.client.host if request.client else "?",
                             (x_github_event or "-")[:40], (x_github_delivery or "-")[:64])
        raise Problem(401, "Bad signature", "X-Hub-Signature-256 does not match the body "
                      f"signed with the webhook secret ({SECRET_ENV})", type="bad-signature")
    return _answer(ctx, x_github_event or "", _payload(request, body))


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


def _answer(ctx: Ctx, event: str, payload: dict[str, Any]) -> JSONResponse:
    if event == "ping":
        return JSONResponse({"pong": True, "zen": str(payload.get("zen", ""))}, status_code=200)
    followed = f"refs/heads/{ctx.settings.ref}"
    if event != "push":
        return JSONResponse({"ignored": f"event {event[:40]!r} needs no sync"}, status_code=200)
    if payload.get("ref") != followed:
        return JSONResponse({"ignored": f"a push to {str(payload.get('ref'))[:200]}; this "
                             f"server follows {followed}"}, status_code=200)
    ctx.wake_daemon()
    return JSONResponse({"accepted": True, "ref": followed,
                         "after": str(payload.get("after", ""))[:64]}, status_code=202)
