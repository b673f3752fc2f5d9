"""GET /v1/key: what the key a request came with may do, so a client can offer only that."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from promptsync.api.auth import Reader
from promptsync.api.models import problem_responses

router = APIRouter(prefix="/v1", tags=["keys"])


class KeyOut(BaseModel):
    name: str = Field(description="the key's name (an edit's author); `anonymous` without one")
    anonymous: bool = Field(description="true: no key was sent and this server lets anyone "
                                        "read and preview")
    scope: Literal["read", "preview", "write"]
    brands: list[str] | None = Field(description="the brands it may edit; null: every brand")


@router.get("/key", response_model=KeyOut, responses=problem_responses(401, 403),
            summary="The scope and brands of the API key sent")
async def key(caller: Reader) -> KeyOut:
    brands = None if caller.brands is None else sorted(caller.brands)
    return KeyOut(name=caller.name, anonymous=caller.anonymous,
                  scope=caller.scope.label,  # type: ignore[arg-type]
                  brands=brands)
