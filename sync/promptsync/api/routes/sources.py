"""GET /v1/prompts/{brand}/{type}/source and GET /v1/variables: what an editor starts from.

Read-only, for the editors' page (and any other client): the file on the followed branch (its
samples, description and the version a PUT names) or at an earlier commit, and the variables
the chat runtime provides (`schema/variables.yaml`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from promptsync.api.auth import Reader
from promptsync.api.context import per_app
from promptsync.api.models import CommitId, problem_responses
from promptsync.api.params import TYPE_SCHEMA, Ref, check_type
from promptsync.api.problems import Problem
from promptsync.api.sources import PromptSources, Source
from promptsync.errors import GitError
from promptsync.model import PromptId

router = APIRouter(prefix="/v1", tags=["sources"])


class SourceOut(BaseModel):
    """A prompt's file: on the followed branch's head (the brand's own, else the default
    brand's it inherits), or at the commit `at`."""

    prompt: str
    path: str = Field(description="the file read")
    commit: CommitId = Field(description="the commit it was read at")
    own: bool = Field(description="false: the brand inherits this file from brand default; "
                                  "a save creates the brand's own (version 0)")
    version: int = Field(description="the version to name in a PUT (0: the brand has none)")
    template: str
    description: str
    variables: dict[str, Any]
    samples: list[Any]
    variants: list[Any] = Field(default_factory=list, description="the file's variants: "
                                "[{name, weight, template, description}] in order")
    locale: str = Field("", description="the locale asked for ('' for the base text)")
    translated_from: int | None = Field(None, description="a translation: the base text's "
                                                          "version it was made from")
    base_version: int | None = Field(None, description="a translation: its base text's version "
                                                       "now (greater than translated_from: "
                                                       "stale)")
    base_template: str | None = Field(None, description="a translation: its base text's "
                                                        "template now")
    base_template_then: str | None = Field(None, description=(
        "a stale translation: its base text's template at `translated_from`, to compare with "
        "`base_template` (what changed since it was translated); null when not stale or when "
        "the repository's history does not hold that version"))


class RuntimeVariableOut(BaseModel):
    name: str
    type: str
    description: str
    types: list[str] = Field(description="the prompt types that may use it")


class VariablesOut(BaseModel):
    commit: CommitId = Field(description="the branch head schema/variables.yaml was read at")
    variables: list[RuntimeVariableOut]


def prompt_sources(request: Request) -> PromptSources:
    """One PromptSources per application, over the previews' snapshots of the branch head."""
    files = request.app.state.previews.files
    return per_app(request, "prompt_sources", lambda: PromptSources(files))


Sources = Annotated[PromptSources, Depends(prompt_sources)]


@router.get("/prompts/{brand}/{type}/source", response_model=SourceOut,
            responses=problem_responses(400, 401, 403, 404, 422, 503),
            summary="The prompt's file: samples, description and the version to edit")
async def source(prompt: Ref, caller: Reader, sources: Sources,
                 at: Annotated[str | None, Query(max_length=40, description=(
                     "a commit (4 to 40 hex digits): the file as it was there, e.g. an audit "
                     "entry's commit"), json_schema_extra={"pattern": "^[0-9a-f]{4,40}$"})
                 ] = None) -> SourceOut:
    def read() -> Source:
        return sources.at_head(prompt) if at is None else sources.at_commit(prompt, at)

    try:
        found = await asyncio.to_thread(read)  # the executor previews read the branch in
    except GitError as exc:
        raise Problem(503, "Repository unreadable", str(exc), type="unavailable") from None
    return _out(prompt, found)


def _out(prompt: PromptId, s: Source) -> SourceOut:
    return SourceOut(prompt=str(prompt), path=s.path, commit=s.commit, own=s.own,
                     version=s.version, template=s.template, description=s.description,
                     variables=dict(s.variables), samples=list(s.samples),
                     variants=list(s.variants), locale=prompt.locale,
                     translated_from=s.translated_from, base_version=s.base_version,
                     base_template=s.base_template, base_template_then=s.base_template_then)


@router.get("/variables", response_model=VariablesOut,
            responses=problem_responses(401, 403, 404, 503),
            summary="The context variables the chat runtime provides (schema/variables.yaml)")
async def variables(caller: Reader, sources: Sources,
                    type: Annotated[str | None, Query(max_length=64, json_schema_extra=TYPE_SCHEMA,
                                                      description="only those this prompt type "
                                                                  "may use")] = None
                    ) -> VariablesOut:
    kind = check_type(type) if type else None
    try:
        commit, rules = await asyncio.to_thread(sources.variables, kind)
    except GitError as exc:
        raise Problem(503, "Repository unreadable", str(exc), type="unavailable") from None
    return VariablesOut(commit=commit, variables=[
        RuntimeVariableOut(name=r.name, type=r.type, description=r.description,
                           types=sorted(t.value for t in r.types)) for r in rules])
