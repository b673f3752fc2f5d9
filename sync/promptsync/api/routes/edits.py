"""Edits over HTTP: PUT, DELETE and rollback of a prompt, each a git commit (sync/edit/).

Thin: parse the request, run the edit on a worker thread (one GitRepository per edit, opened
and closed there), answer 201, 422 with findings, 409 with the conflict, 502 when a review
branch could not be pushed. A write to the published branch wakes the in-process daemon and
waits briefly to say whether the change is live.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from promptsync.api.auth import Caller, Writer
from promptsync.api.context import ApiContext, Ctx, per_app
from promptsync.api.limits import require_json
from promptsync.api.models import ETAG_HEADER, problem_responses
from promptsync.api.params import BrandPath, LocaleQuery, TypePath, checked_ref
from promptsync.api.problems import Problem
from promptsync.api.routes._edit_io import (
    IF_MATCH_SCHEMA,
    EditIn,
    EditOut,
    RollbackIn,
    conflict,
    etag,
    etag_version,
    push_failed,
    rejected,
    written,
)
from promptsync.edit.landing import ServerBranch
from promptsync.edit.request import (
    Action,
    Conflict,
    EditError,
    Editor,
    EditRequest,
    Fields,
    PushFailed,
    Rejected,
    Written,
)
from promptsync.edit.service import EditService
from promptsync.errors import PromptSyncError
from promptsync.gitio.mirror import Mirror
from promptsync.gitio.push import PushRefused
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptId
from promptsync.store.state import read_state

router = APIRouter(tags=["edits"])
PATH = "/v1/prompts/{brand}/{type}"
LIVE_WAIT = 2.0  # s a write to the published branch waits for the daemon to publish it
ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 428, 502, 503)
IfMatch = Annotated[str | None, Header(json_schema_extra=IF_MATCH_SCHEMA,
                                       description='the version edited, as GET sent it in '
                                                   'ETag (e.g. "3")')]
WRITTEN = {"description": "written: the commit, and whether it is live", "headers": ETAG_HEADER}


def edit_service(request: Request, ctx: Ctx) -> EditService:
    """One EditService per application: one writer for the process, one Validator's cache."""
    return per_app(request, "edit_service", lambda: build_service(ctx))


def build_service(ctx: ApiContext) -> EditService:
    s = ctx.settings
    if s.server is None:
        return EditService(s.repo)
    return EditService(s.repo, landing=ServerBranch(s.server, Mirror(s.server, s.repo)))


Service = Annotated[EditService, Depends(edit_service)]


@router.put(PATH, status_code=201, response_model=EditOut, responses={201: WRITTEN, **ERRORS},
            dependencies=[Depends(require_json)], summary="Edit (or create) a prompt")
async def put_prompt(brand: BrandPath, type: TypePath, body: EditIn, caller: Writer, ctx: Ctx,
                     service: Service, response: Response, locale: LocaleQuery = None,
                     if_match: IfMatch = None,
                     if_none_match: Annotated[str | None, Header()] = None) -> EditOut:
    """The new text, written as a commit whose file has version N+1, where N is the version
    edited (`version`, or `If-Match`); `version: 0` or `If-None-Match: *` creates the prompt."""
    prompt = checked_ref(brand, type, locale)
    caller.check_brand(prompt.brand)
    expected = _expected(body.version, if_match, if_none_match)
    fields = _fields(body)
    action: Action = "create" if expected == 0 else "update"
    return await _edit(ctx, service, response, _request(ctx, caller, prompt, action, expected,
                                                        body.message, fields=fields))


@router.delete(PATH, response_model=EditOut, responses=ERRORS,
               summary="Delete a prompt (the brand then inherits default's)")
async def delete_prompt(brand: BrandPath, type: TypePath, caller: Writer, ctx: Ctx,
                        service: Service, response: Response, locale: LocaleQuery = None,
                        if_match: IfMatch = None,
                        message: Annotated[str, Query(max_length=5000)] = "") -> EditOut:
    prompt = checked_ref(brand, type, locale)
    caller.check_brand(prompt.brand)
    expected = etag_version(if_match)
    if expected is None:
        raise _precondition("a delete needs If-Match with the version deleted")
    return await _edit(ctx, service, response, _request(ctx, caller, prompt, "delete", expected,
                                                        message))


@router.post(PATH + "/rollback", status_code=201, response_model=EditOut,
             responses={201: WRITTEN, **ERRORS}, dependencies=[Depends(require_json)],
             summary="Restore an earlier text of a prompt, as its next version")
async def rollback_prompt(brand: BrandPath, type: TypePath, body: RollbackIn, caller: Writer,
                          ctx: Ctx, service: Service, response: Response,
                          locale: LocaleQuery = None, if_match: IfMatch = None) -> EditOut:
    prompt = checked_ref(brand, type, locale)
    caller.check_brand(prompt.brand)
    expected = body.version if body.version is not None else etag_version(if_match)
    if expected is None:
        raise _precondition("a rollback needs the current version (`version` or If-Match)")
    return await _edit(ctx, service, response, _request(ctx, caller, prompt, "rollback",
                                                        expected, body.message,
                                                        rollback_to=body.to))


def _expected(version: int | None, if_match: str | None, if_none_match: str | None) -> int:
    if if_none_match is not None and if_none_match.strip() == "*":
        return 0
    found = version if version is not None else etag_version(if_match)
    if found is None:
        raise _precondition("say which version you edited: `version` in the body or If-Match "
                            '(e.g. "3"); to create a prompt, version 0 or If-None-Match: *')
    return found


def _fields(body: EditIn) -> Fields:
    variables = None if body.variables is None else {
        name: spec.model_dump(exclude_defaults=True) for name, spec in body.variables.items()}
    samples = None if body.samples is None else [s.model_dump() for s in body.samples]
    variants = None if body.variants is None else [
        v.model_dump(exclude_none=True) for v in body.variants]
    return Fields(body.template, body.description, variables, samples, body.translated_from,
                  variants)


def _precondition(detail: str) -> Problem:
    return Problem(428, "Precondition Required", detail, type="version-required")


def _request(ctx: ApiContext, caller: Caller, prompt: PromptId, action: Action, expected: int,
             message: str, *, fields: Fields | None = None,
             rollback_to: str | None = None) -> EditRequest:
    editor = Editor(caller.name, caller.email or f"{caller.name}@promptsync.invalid",
                    caller.key_hash_prefix)
    return EditRequest(prompt, action, expected, editor, message, fields,
                       ctx.settings.ref, ctx.settings.write_to, rollback_to)


async def _edit(ctx: ApiContext, service: EditService, response: Response,
                request: EditRequest) -> EditOut:
    try:
        outcome = await run_in_threadpool(service.apply, request)
    except EditError as exc:
        status = 404 if exc.kind == "not-found" else 422
        raise Problem(status, "Not Found" if status == 404 else "Unprocessable Content",
                      str(exc), type=exc.kind) from None
    except PushRefused as exc:  # the git server said no, or could not be reached
        raise Problem(502, "Bad Gateway", str(exc), type="push-refused") from None
    except PromptSyncError as exc:  # git failed, or a server could not be reached
        raise Problem(503, "Service Unavailable", str(exc), type="unavailable") from None
    if isinstance(outcome, Rejected):
        raise rejected(outcome)
    if isinstance(outcome, Conflict):
        raise conflict(outcome)
    if isinstance(outcome, PushFailed):
        raise push_failed(outcome)
    return await _answer(ctx, outcome, response)


async def _answer(ctx: ApiContext, done: Written, response: Response) -> EditOut:
    live = await _live(ctx, done.commit) if done.on_target else None
    if done.version is not None:
        response.headers["ETag"] = etag(done.prompt, done.version)
        query = f"?locale={done.prompt.locale}" if done.prompt.locale else ""
        response.headers["Location"] = (f"/v1/prompts/{done.prompt.brand}/"
                                        f"{done.prompt.type.slug}{query}")
    return written(done, live)


async def _live(ctx: ApiContext, commit: str) -> bool:
    """Wake the daemon and wait (at most LIVE_WAIT) until it has published `commit`. The
    database is asked at growing intervals, and git only when its answer changed."""
    ctx.wake_daemon()
    deadline = time.monotonic() + LIVE_WAIT
    delay, seen = 0.01, ""
    while True:
        published = await run_in_threadpool(_published_commit, ctx)
        if published is not None and published != seen:
            seen = published
            if published == commit or await run_in_threadpool(_contains, ctx, published, commit):
                return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.1)


def _published_commit(ctx: ApiContext) -> str | None:
    try:
        return read_state(ctx.engine).commit
    except Exception:  # no database yet, or unreachable: not live as far as we can tell
        return None


def _contains(ctx: ApiContext, published: str, commit: str) -> bool:
    with GitRepository(ctx.settings.repo) as repo:  # a later commit on top of ours
        return repo.has_commit(published) and repo.is_ancestor(commit, published)
