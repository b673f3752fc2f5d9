"""GET /v1/prompts and /v1/prompts/{brand}/{type}: what the chat runtime is served now."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.exc import SQLAlchemyError

from promptsync.api.auth import SECURITY, Reader, Scope, authorize
from promptsync.api.models import ETAG_HEADER, PromptList, PromptOut, problem_responses
from promptsync.api.params import (
    BRAND_SCHEMA,
    TYPE_SCHEMA,
    BrandPath,
    Locale,
    LocaleQuery,
    TypePath,
    check_brand,
    check_type,
    checked_ref,
)
from promptsync.api.problems import Problem
from promptsync.api.served import ServedPrompts
from promptsync.model import PromptType
from promptsync.store.engine import first_line

router = APIRouter(prefix="/v1", tags=["prompts"])


async def get_served(request: Request) -> ServedPrompts:
    served: ServedPrompts = request.app.state.served
    return served


Served = Annotated[ServedPrompts, Depends(get_served)]


@router.get("/prompts/{brand}/{type}", response_model=PromptOut, openapi_extra=SECURITY,
            responses={200: {"headers": ETAG_HEADER},
                       304: {"description": "not modified (If-None-Match)",
                             "headers": ETAG_HEADER},
                       **problem_responses(400, 401, 403, 404, 503)},
            summary="The prompt the runtime serves for a brand and type now")
async def get_prompt(request: Request, brand: BrandPath, type: TypePath,
                     locale: LocaleQuery = None,
                     subject: Annotated[str | None, Query(
                         max_length=200, description="a user or conversation id: a prompt "
                         "that runs variants answers with the variant the runtime gives this "
                         "subject (without one: control, the file's own template)")] = None,
                     if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """Resolved as the runtime resolves it (the brand's own, else brand default's, else the
    built-in text), through the reader's tiers. `ETag` is the version; `If-None-Match`
    answers 304 while it is unchanged. A prompt that runs variants also says which one
    answered (`variant`) and their weights (`variants`)."""
    # The hot path: the checks are calls, not dependencies (each costs tens of microseconds).
    authorize(request, Scope.READ)
    prompt = checked_ref(brand, type, locale)
    served: ServedPrompts = request.app.state.served
    if not await served.known_brand(prompt.brand):
        raise Problem(404, "Unknown brand", f"the database holds no prompt of brand "
                      f"{prompt.brand!r}; the runtime answers it with brand default's "
                      f"(GET /v1/prompts/default/{prompt.type.slug})", type="unknown-brand")
    answer = await served.one(prompt.brand, prompt.type, prompt.locale, subject)
    headers = {"ETag": answer.etag, "Cache-Control": "no-cache"}
    if if_none_match is not None and matches(if_none_match, answer.etag):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)


@router.get("/prompts", response_model=PromptList, responses=problem_responses(400, 401, 403,
                                                                              404, 503),
            summary="Every brand x type cell the runtime serves")
async def list_prompts(served: Served, caller: Reader, locale: Locale,
                       brand: Annotated[str | None, Query(
                           max_length=64, json_schema_extra=BRAND_SCHEMA)] = None,
                       type: Annotated[str | None, Query(
                           max_length=64, json_schema_extra=TYPE_SCHEMA)] = None) -> Response:
    """For each brand in the database (or `brand`) and each type (or `type`): the text that
    answers, where it comes from, its version and when it went live."""
    if brand is not None:
        check_brand(brand)
        if not await served.known_brand(brand):
            raise Problem(404, "Unknown brand", f"the database holds no prompt of brand "
                          f"{brand!r}", type="unknown-brand")
    types = [check_type(type)] if type else list(PromptType)
    try:
        cells = await asyncio.to_thread(served.table, brand, types, locale)
    except SQLAlchemyError as exc:
        raise Problem(503, "Database unreachable", first_line(exc), type="unavailable") from None
    return Response(json.dumps({"prompts": cells}), media_type="application/json")


def matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison: `*`, or any listed tag equal to ours without `W/`."""
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False
