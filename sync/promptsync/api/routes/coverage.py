"""GET /v1/coverage: which text each brand serves for each type and locale (the languages
matrix of `promptsync coverage`), for the branch head: translated, inherited, stale or a
language fallback."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from promptsync.api.auth import Reader
from promptsync.api.context import per_app
from promptsync.api.coverage import BranchCoverage
from promptsync.api.models import CommitId, problem_responses
from promptsync.api.params import BRAND_SCHEMA, LOCALE_SCHEMA, check_brand, check_locale
from promptsync.api.problems import Problem
from promptsync.coverage.matrix import Cell
from promptsync.errors import GitError

router = APIRouter(prefix="/v1", tags=["coverage"])


class AnsweredBy(BaseModel):
    brand: str
    locale: str
    path: str


class CoverageCell(BaseModel):
    brand: str
    type: str
    locale: str
    declared: bool = Field(description="whether the brand declares this locale (brand.yaml)")
    source: Literal["own", "inherited", "fallback", "built-in"]
    answered_by: AnsweredBy | None = Field(description="the file that answers (null: built-in)")
    language: str = Field(description="the language of the text that answers")
    language_fallback: bool
    stale: bool = Field(description="a translation whose base text changed since")
    translated_from: int | None = Field(description="when stale: the base version translated")
    base_version: int | None = Field(description="when stale: the base text's version now")


class CoverageOut(BaseModel):
    commit: CommitId = Field(description="the branch head the matrix was read at")
    locales: list[str] = Field(description="the locales shown: those the brands declare, or "
                                           "the one asked")
    cells: list[CoverageCell]
    gaps: int = Field(description="declared locales answered in another language")
    skipped_files: int = Field(description="files left out because they do not validate")


def branch_coverage(request: Request) -> BranchCoverage:
    """One BranchCoverage per application, over the previews' snapshots of the branch head."""
    files = request.app.state.previews.files
    return per_app(request, "branch_coverage", lambda: BranchCoverage(files))


@router.get("/coverage", response_model=CoverageOut,
            responses=problem_responses(400, 401, 403, 503),
            summary="The languages matrix: each brand x type x locale translated or not")
async def coverage(caller: Reader,
                   found: Annotated[BranchCoverage, Depends(branch_coverage)],
                   locale: Annotated[str | None, Query(max_length=64,
                                                       json_schema_extra=LOCALE_SCHEMA)] = None,
                   brand: Annotated[str | None, Query(max_length=64,
                                                      json_schema_extra=BRAND_SCHEMA)] = None
                   ) -> CoverageOut:
    """As `promptsync coverage --format json`, for the followed branch's head."""
    tag = check_locale(locale) or None
    chosen = check_brand(brand) if brand else None
    try:
        commit, matrix = await asyncio.to_thread(found.matrix, tag, chosen)
    except GitError as exc:
        raise Problem(503, "Repository unreadable", str(exc), type="unavailable") from None
    return CoverageOut(commit=commit, locales=list(matrix.locales),
                       cells=[_cell(c) for c in matrix.cells], gaps=len(matrix.gaps),
                       skipped_files=matrix.skipped)


def _cell(cell: Cell) -> CoverageCell:
    answer = cell.answered_by
    return CoverageCell(
        brand=cell.brand, type=cell.type.value, locale=cell.locale, declared=cell.declared,
        source=cell.source,  # type: ignore[arg-type]
        answered_by=None if answer is None else AnsweredBy(brand=answer.brand,
                                                           locale=answer.locale,
                                                           path=answer.path),
        language=cell.answered_language, language_fallback=cell.language_fallback,
        stale=cell.stale, translated_from=cell.stale_since, base_version=cell.base_version)
