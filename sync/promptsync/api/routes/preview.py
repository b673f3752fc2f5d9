"""POST /v1/prompts/{brand}/{type}/preview: render the prompt or an unsaved draft of it."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from promptsync.api.auth import Previewer
from promptsync.api.drafts import Draft
from promptsync.api.limits import require_json
from promptsync.api.models import CommitId, FindingOut, problem_responses
from promptsync.api.params import Ref
from promptsync.api.previews import Previews
from promptsync.api.problems import Problem
from promptsync.errors import GitError
from promptsync.sandbox import MAX_TEMPLATE_CHARS

router = APIRouter(prefix="/v1", tags=["preview"])


class PreviewIn(BaseModel):
    """Render with `sample` (a sample's name) or `context` (values; both: context wins), or
    neither (the first sample). With `template`, a draft: `variables`, `samples` and
    `description` then replace the file's, each when given."""

    context: dict[str, Any] | None = Field(None, examples=[{"user_name": "Dana"}])
    sample: str | None = Field(None, max_length=200)
    template: str | None = Field(None, description=f"a draft template (at most "
                                 f"{MAX_TEMPLATE_CHARS:,} characters)")
    variables: dict[str, Any] | None = None
    samples: list[Any] | None = None
    description: str | None = None
    translated_from: int | None = Field(None, ge=1, description="a translation's draft: the "
                                        "base version it was made from (omitted: kept)")
    variants: list[Any] | None = Field(None, description="a draft's variants, [{name, weight, "
                                       "template, description}] (omitted: kept; []: none)")
    variant: str | None = Field(None, max_length=200, description="render this variant's text "
                                "(omitted or `control`: the template)")


class PreviewOut(BaseModel):
    text: str = Field(description="the rendered prompt")
    variant: str | None = Field(None, description="a prompt that runs variants: the one "
                                "rendered (control: the template)")
    findings: list[FindingOut] = Field(description="the validator's warnings (errors are 422)")
    path: str = Field(description="the file previewed (the draft's, or the one that answers)")
    commit: CommitId = Field(description="the branch head the file and the rules were read at")
    draft: bool


async def get_previews(request: Request) -> Previews:
    previews: Previews = request.app.state.previews
    return previews


@router.post("/prompts/{brand}/{type}/preview", response_model=PreviewOut,
             dependencies=[Depends(require_json)],
             responses=problem_responses(400, 401, 403, 404, 413, 415, 422, 503),
             summary="Render a prompt, or a draft of it, with a sample or a context")
async def preview(prompt: Ref, body: PreviewIn, caller: Previewer,
                  previews: Annotated[Previews, Depends(get_previews)]) -> JSONResponse:
    """The validator's findings come with a line and column in the draft's template; an
    invalid draft is 422 with them. Rendering is the bounded sandbox: a loop, a huge output
    or an unsafe construct is stopped and reported (422), never a hang."""
    draft = None if body.template is None else Draft(body.template, body.description,
                                                     body.variables, body.samples,
                                                     body.translated_from, body.variants)
    try:
        result = await asyncio.to_thread(previews.preview, prompt, draft=draft,
                                         sample=body.sample, context=body.context,
                                         variant=body.variant)
    except GitError as exc:
        raise Problem(503, "Repository unreadable", str(exc), type="unavailable") from None
    out = PreviewOut(text=result.text, variant=result.variant, findings=result.findings,
                     path=result.path, commit=result.commit, draft=result.draft)
    # A prompt without variants is answered as before them, without the key.
    return JSONResponse(out.model_dump(mode="json", exclude=None if result.variant else
                                       {"variant"}))
