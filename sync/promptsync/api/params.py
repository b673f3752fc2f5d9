"""The parts of a request that name a prompt, checked once for every route: `{brand}`,
`{type}` and `?locale=`, each refused with a problem that says what a valid one looks like."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from promptsync.api.problems import Problem
from promptsync.locale import LocaleError, normalize
from promptsync.model import BRAND_RE, PromptId, PromptType

TYPES = ", ".join(t.slug for t in PromptType)
# What the OpenAPI document says a valid value is; the checks below enforce it with a message
# that says what to fix (a schema pattern alone would answer "should match pattern ...").
BRAND_SCHEMA = {"pattern": f"^{BRAND_RE.pattern}$"}
TYPE_SCHEMA = {"enum": [t.slug for t in PromptType] + [t.value for t in PromptType]}
LOCALE_SCHEMA = {"pattern": "^[A-Za-z]{2,3}([-_][A-Za-z]{4})?([-_]([A-Za-z]{2}|[0-9]{3}))?$"}


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
        max_length=64, json_schema_extra=LOCALE_SCHEMA,
        description="a BCP 47 tag (de, de-CH, pt-BR); the answer says which locale's text "
                    "answered")] = None) -> str:
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
LocaleQuery = Annotated[str | None, Query(
    max_length=64, json_schema_extra=LOCALE_SCHEMA,
    description="a BCP 47 tag (de, de-CH, pt-BR); the answer says which locale's text answered")]


def checked_ref(brand: str, type: str, locale: str | None) -> PromptId:
    return PromptId(check_brand(brand), check_type(type), check_locale(locale))


async def prompt_ref(brand: BrandPath, type: TypePath, locale: LocaleQuery = None) -> PromptId:
    # One dependency with three parameters, not three dependencies: each one FastAPI solves
    # costs tens of microseconds.
    return checked_ref(brand, type, locale)


# A route on /v1/prompts/{brand}/{type} takes `prompt: Ref`: the checked PromptId.
Ref = Annotated[PromptId, Depends(prompt_ref)]
