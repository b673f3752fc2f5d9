"""The parts of a request that name a prompt, checked once for every route: `{brand}`,
`{type}` and `?locale=`, each refused with a problem that says what a valid one looks like;
and the one rule for every query parameter: empty is the same as left out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query
from starlette.types import ASGIApp, Receive, Scope, Send

from promptsync.api.problems import Problem
from promptsync.locale import LocaleError, normalize
from promptsync.model import BRAND_RE, PromptId, PromptType

TYPES = ", ".join(t.slug for t in PromptType)
# What the OpenAPI document says a valid value is; the checks below enforce it with a message
# that says what to fix (a schema pattern alone would answer "should match pattern ...").
BRAND_SCHEMA = {"pattern": f"^{BRAND_RE.pattern}$"}
TYPE_SCHEMA = {"enum": [t.slug for t in PromptType] + [t.value for t in PromptType]}
# Empty is the base text, as when the parameter is left out (`?locale=` from a form field).
LOCALE_SCHEMA = {"pattern": "^([A-Za-z]{2,3}([-_][A-Za-z]{4})?([-_]([A-Za-z]{2}|[0-9]{3}))?)?$"}
LOCALE_HELP = ("a BCP 47 tag (de, de-CH, pt-BR); empty or left out: the base text. The answer "
               "says which locale's text answered")


async def path_brand(brand: Annotated[str, Path(description="a brand, e.g. acme or default",
                                          examples=["default"],
                                          json_schema_extra=BRAND_SCHEMA)]) -> str:
    return check_brand(brand)


def check_brand(brand: str) -> str:
    if not BRAND_RE.fullmatch(brand):
        raise Problem(400, "Bad brand", f"{brand[:80]!r} is not a brand name: lower-case "
                      "letters, digits and '-', starting with a letter or digit, e.g. acme",
                      type="bad-brand")
    return brand


async def path_type(type: Annotated[str, Path(description=f"a prompt type: {TYPES}",
                                        examples=["greeting"],
                                        json_schema_extra=TYPE_SCHEMA)]) -> PromptType:
    return check_type(type)


def check_type(text: str) -> PromptType:
    try:
        return PromptType.parse(text)
    except ValueError:
        raise Problem(404, "Unknown prompt type", f"there is no prompt type {text[:80]!r}; "
                      f"the types are {TYPES}", type="unknown-type") from None


async def query_locale(locale: Annotated[str | None, Query(
        max_length=64, json_schema_extra=LOCALE_SCHEMA, description=LOCALE_HELP)] = None) -> str:
    return check_locale(locale)


def check_locale(text: str | None) -> str:
    if text is None or text == "":
        return ""
    try:
        return normalize(text)
    except LocaleError:
        raise Problem(400, "Bad locale", f"{text[:80]!r} is not a locale tag like de, de-CH "
                      "or pt-BR", type="bad-locale") from None


Brand = Annotated[str, Depends(path_brand)]
Type = Annotated[PromptType, Depends(path_type)]
Locale = Annotated[str, Depends(query_locale)]


BrandPath = Annotated[str, Path(description="a brand, e.g. acme or default",
                                examples=["default"], json_schema_extra=BRAND_SCHEMA)]
TypePath = Annotated[str, Path(description=f"a prompt type: {TYPES}", examples=["greeting"],
                               json_schema_extra=TYPE_SCHEMA)]
LocaleQuery = Annotated[str | None, Query(max_length=64, json_schema_extra=LOCALE_SCHEMA,
                                          description=LOCALE_HELP)]


def checked_ref(brand: str, type: str, locale: str | None) -> PromptId:
    return PromptId(check_brand(brand), check_type(type), check_locale(locale))


async def prompt_ref(brand: BrandPath, type: TypePath, locale: LocaleQuery = None) -> PromptId:
    # One dependency with three parameters, not three dependencies: each one FastAPI solves
    # costs tens of microseconds.
    return checked_ref(brand, type, locale)


# A route on /v1/prompts/{brand}/{type} takes `prompt: Ref`: the checked PromptId.
Ref = Annotated[PromptId, Depends(prompt_ref)]


class EmptyAsAbsent:
    """`?name=` (or a bare `?name`) is `name` left out, on every route: a form or a client
    building a URL from an empty field sends it, and each route would otherwise decide alone
    what an empty brand, date or cursor means. (The OpenAPI document says so: see openapi.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query:
            kept = [part for part in query.split(b"&") if part.partition(b"=")[2]]
            if len(kept) != query.count(b"&") + 1:
                scope = {**scope, "query_string": b"&".join(kept)}
        await self.app(scope, receive, send)
