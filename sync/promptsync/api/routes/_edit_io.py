"""What the edit and audit routes take and answer, and how an edit's outcome becomes HTTP.

The OpenAPI document is generated from these models. A 409 carries everything the editors'
page needs to show a conflict to a person: the current version, text, who changed it last and
when, in which commit, and the diff between the editor's text and the current one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from promptsync.api.drafts import placed, where
from promptsync.api.models import CommitId, FindingOut
from promptsync.api.problems import Problem
from promptsync.edit.request import Conflict, PushFailed, Rejected, Written
from promptsync.history.log import Change
from promptsync.model import PromptId, Scalar

MAX_TEMPLATE = 100_000  # the validator says 10,000; past this the request itself is refused
# At most 18 digits: a version fits an int64, and a longer run would meet Python's limit on
# converting digits to int (4,300) with a ValueError, a 500 (issue 18).
_ETAG = re.compile(r'\s*(?:W/)?"(\d{1,18})(?:-[A-Za-z0-9-]+)?"\s*')
# What etag_version takes, documented; empty is the header left out.
IF_MATCH_SCHEMA = {"pattern": f"^(?:{_ETAG.pattern})?$"}


class VariableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["string", "integer", "number", "boolean"]
    required: bool = False
    default: Scalar | None = None
    description: str = Field("", max_length=2000)


class SampleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)
    context: dict[str, Scalar] = Field(default_factory=dict)


class VariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=40, description="unique in the file; not `control`")
    weight: int = Field(ge=0, le=100, description="the percent of subjects who get it")
    template: str = Field(max_length=MAX_TEMPLATE)
    description: str | None = Field(None, max_length=500)


class EditIn(BaseModel):
    """The new text of a prompt and the version the editor started from."""

    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(None, ge=0, description="the version edited (0: a new prompt); "
                                                        "or send If-Match / If-None-Match: *")
    template: str = Field(max_length=MAX_TEMPLATE)
    description: str | None = Field(None, max_length=2000)
    variables: dict[str, VariableIn] | None = Field(None, description="the file's `variables:` "
                                                                      "(omitted: kept)")
    samples: list[SampleIn] | None = Field(None, description="the file's `samples:` (omitted: "
                                                             "kept)")
    translated_from: int | None = Field(None, ge=1, description="a translation (?locale=): "
                                                               "the version of the base text it "
                                                               "was translated from (omitted: "
                                                               "kept)")
    variants: list[VariantIn] | None = Field(None, description="the file's `variants:` in "
                                             "order (omitted: kept; []: none)")
    message: str = Field("", max_length=5000, description="the commit message")


class RollbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(min_length=1, max_length=200, description="a commit, or v<N>")
    version: int | None = Field(None, ge=1, description="the current version (or If-Match)")
    message: str = Field("", max_length=5000)


class EditOut(BaseModel):
    """A written edit: the commit, where it is, and (on the published branch) whether live."""

    prompt: str
    action: Literal["create", "update", "delete", "rollback"]
    version: int | None = Field(description="the new version (null after a delete)")
    commit: CommitId
    parent: CommitId
    branch: str = Field(description="the branch the commit is on")
    published: bool = Field(description="true: on the branch the daemon publishes; false: a "
                                        "review branch, to merge by pull request")
    pushed_to: str | None = Field(None, description="the remote a review branch was pushed to")
    live: bool | None = Field(None, description="published: whether the daemon has made it "
                                                "live yet")
    warnings: list[FindingOut] = Field(default_factory=list)


class AuthorOut(BaseModel):
    name: str
    email: str
    key: str | None = Field(None, description="sha256:<prefix> of the API key that made it")


class AuditEntry(BaseModel):
    prompt: str
    brand: str
    type: str
    locale: str
    action: Literal["create", "update", "delete", "rename", "rollback"]
    author: AuthorOut
    date: datetime
    version_before: int | None
    version_after: int | None
    commit: CommitId
    subject: str
    live_at: datetime | None = None
    previous_prompt: str | None = Field(None, description="the id before a rename")
    restores: str | None = Field(None, pattern="^[0-9a-f]{7,64}$", description="a rollback: "
                                 "the commit brought back (as its message names it)")
    variants: list[str] = Field(default_factory=list, description="present when the change "
                                "touched the file's variants: what it did to them, `+brief "
                                "10%`, `warm 20% → 30%`, `warm: text`, `-short`")


class AuditPageOut(BaseModel):
    entries: list[AuditEntry]
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page")


def etag_version(header: str | None) -> int | None:
    """The version in an If-Match header as GET sent it (`"3"`, `"3-de"`, W/"3")."""
    if header is None or not header.strip():
        return None
    match = _ETAG.fullmatch(header)
    if match is None:
        raise Problem(400, "Bad Request", f"If-Match {header[:80]!r} is not an ETag of this API "
                      '(send it as GET gave it, e.g. "3")', type="bad-precondition")
    return int(match[1])


def etag(prompt: PromptId, version: int) -> str:
    return f'"{version}-{prompt.locale}"' if prompt.locale else f'"{version}"'


def written(done: Written, live: bool | None) -> EditOut:
    return EditOut(prompt=str(done.prompt), action=done.action, version=done.version,
                   commit=done.commit, parent=done.parent, branch=done.branch,
                   published=done.on_target, pushed_to=done.pushed_to, live=live,
                   warnings=placed(done.prompt, done.data, done.warnings))


def rejected(outcome: Rejected) -> Problem:
    findings = placed(outcome.prompt, outcome.data, outcome.findings)
    first = findings[0]
    return Problem(422, "Invalid prompt", f"the new {outcome.prompt} does not validate: "
                   f"{first.message} ({where(first)})", type="invalid-prompt",
                   prompt=str(outcome.prompt), findings=[
                       # The file's own place too, for a client that shows the file.
                       {**out.model_dump(), "file_line": f.line, "file_column": f.column}
                       for f, out in zip(outcome.findings, findings, strict=True)])


def conflict(outcome: Conflict) -> Problem:
    last = outcome.last_change
    current = {"version": outcome.current_version, "template": outcome.current_template,
               "branch": outcome.branch,
               "commit": last.commit if last else None,
               "author": last.author_name if last else None,
               "email": last.author_email if last else None,
               "date": last.date.isoformat() if last else None,
               "subject": last.subject if last else None}
    headers = ({"ETag": etag(outcome.prompt, outcome.current_version)}
               if outcome.current_version is not None else None)
    return Problem(409, "Conflict", outcome.detail, type="edit-conflict", headers=headers,
                   prompt=str(outcome.prompt), reason=outcome.reason,
                   your_version=outcome.expected, current=current, diff=outcome.diff)


def push_failed(outcome: PushFailed) -> Problem:
    return Problem(502, "Bad Gateway", f"the review branch {outcome.branch} could not be pushed "
                   f"to {outcome.remote}; nothing was kept, try again: {outcome.error}",
                   type="push-failed", branch=outcome.branch, remote=outcome.remote)


def audit_entry(change: Change) -> AuditEntry:
    prompt = change.prompt
    return AuditEntry(prompt=str(prompt), brand=prompt.brand, type=prompt.type.value,
                      locale=prompt.locale, action=change.action,  # type: ignore[arg-type]
                      author=AuthorOut(name=change.author_name, email=change.author_email,
                                       key=change.admin_key),
                      date=change.date, version_before=change.version_before,
                      version_after=change.version_after, commit=change.commit,
                      subject=change.subject, live_at=change.live_at,
                      previous_prompt=str(change.previous_id) if change.previous_id else None,
                      restores=change.restores, variants=list(change.variants))
