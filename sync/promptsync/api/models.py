"""The pydantic models the routes share: what the OpenAPI document says they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from promptsync.validate.finding import Finding

ResolvedFrom = Literal["own", "default", "builtin"]
# A git object id: SHA-1, or SHA-256 in a repository that uses it.
COMMIT_PATTERN = "^([0-9a-f]{40}|[0-9a-f]{64})$"
CommitId = Annotated[str, Field(pattern=COMMIT_PATTERN, description="a commit id (hex)")]
# What the API sends as an ETag: a version, qualified by who answered and in which locale.
ETAG_PATTERN = '^"[A-Za-z0-9-]+"$'
ETAG_HEADER = {"ETag": {"description": 'the version, e.g. "3" (`If-Match` of an edit takes it)',
                        "schema": {"type": "string", "pattern": ETAG_PATTERN}}}


class VariableOut(BaseModel):
    type: str
    required: bool = False
    default: str | int | float | bool | None = None
    description: str = ""


class VariantWeight(BaseModel):
    name: str
    weight: int = Field(ge=0, le=100, description="the percent of subjects who get it")


class PromptOut(BaseModel):
    """A prompt as the chat runtime is served it now."""

    brand: str = Field(description="the brand asked for")
    type: str = Field(description="the prompt type, e.g. GREETING")
    locale: str = Field("", description="the locale asked for ('' for none)")
    answered_by: str = Field(description="the brand whose text answered (the asked brand, "
                                         "`default`, or `builtin`)")
    answered_locale: str = Field("", description="the locale of the text that answered "
                                                 "('' for a base text)")
    answered_language: str = Field("", description="the language the answering text is "
                                                   "written in ('' when its brand declares none)")
    language_fallback: bool = Field(False, description="a locale was asked and the text that "
                                                       "answers is in another language")
    resolved_from: ResolvedFrom = Field(description="own: the brand's own prompt; default: "
                                                    "inherited from brand default; builtin: "
                                                    "the text shipped in the package")
    version: int
    commit: str = Field(description="the commit the text comes from (`builtin` for the "
                                    "built-in text)",
                        pattern=COMMIT_PATTERN.replace(")$", "|builtin)$"))
    template: str
    variables: dict[str, VariableOut] = Field(default_factory=dict)
    live_since: datetime | None = Field(None, description="when this version went live "
                                                          "(prompts.synced_at)")
    etag: str = Field(description="the ETag header's value", pattern=ETAG_PATTERN)
    variant: str | None = Field(None, description="a prompt that runs variants: the one whose "
                                "text `template` is (control: the file's own; with ?subject=, "
                                "the subject's)")
    variants: list[VariantWeight] | None = Field(None, description="a prompt that runs "
                                                 "variants: their names and weights, in order")
    locales: list[str] | None = Field(None, description="in the list only: the locales the "
                                                        "brand has its own translation of this "
                                                        "type in")


class PromptList(BaseModel):
    prompts: list[PromptOut]


class FindingOut(BaseModel):
    """One finding of the validator; `line` and `column` (from 1) are in the template when
    `field` is `template`, else they are 0 and `field` names the part of the draft."""

    severity: Literal["error", "warning"]
    code: str
    message: str
    hint: str = ""
    field: str = Field("template", description="template, variables, samples, description or "
                                               "file")
    line: int = 0
    column: int = 0
    path: str = Field(default="", description="another file the change affects (a translation "
                      "of an edited base text); empty: the prompt's own file")

    @classmethod
    def of(cls, finding: Finding, *, field: str = "file", line: int = 0,
           column: int = 0, path: str = "") -> FindingOut:
        return cls(severity=finding.severity.value, code=finding.code,
                   message=finding.message, hint=finding.hint, field=field, line=line,
                   column=column, path=path)

    def place(self) -> str:
        """Where it is, as the editor shows it: `template line 2, column 5`, or the field."""
        return f"{self.field} line {self.line}, column {self.column}" if self.line else self.field


class ProblemOut(BaseModel):
    """An RFC 9457 problem document; extension members (`findings`, `errors`, `current`, ...)
    may follow."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="a URI naming the kind of problem")
    title: str
    status: int
    detail: str = ""
    instance: str = ""


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status documented as a problem document."""
    schema = ProblemOut.model_json_schema()
    return {status: {"description": _DESCRIPTIONS.get(status, "an error"),
                     "content": {"application/problem+json": {"schema": schema}}}
            for status in statuses}


_DESCRIPTIONS = {
    400: "malformed request (bad JSON, a bad path segment), or a Host this server does not "
         "answer for",
    401: "no API key, or an unknown one",
    403: "the key's scope or brands do not cover this",
    404: "no such prompt, brand, type or sample",
    409: "the prompt changed since the version edited",
    413: "the body is over the size limit",
    415: "the body is not JSON",
    422: "the request or the prompt does not validate",
    503: "a server this needs is unreachable",
}
