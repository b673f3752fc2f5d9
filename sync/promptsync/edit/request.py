"""What an editor asks for, and every way it can end, as values the routes translate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from promptsync.errors import PromptSyncError
from promptsync.gitio.commits import Identity
from promptsync.model import PromptId
from promptsync.settings import DEFAULT_REF
from promptsync.validate.finding import Finding

Action = Literal["create", "update", "delete", "rollback"]
# Where an edit's commit goes: a review branch, or the published branch itself.
WriteTo = Literal["branch", "main"]
WRITE_TO: tuple[WriteTo, ...] = get_args(WriteTo)
COMMITTER = Identity("promptsync", "promptsync@promptsync.invalid")


@dataclass(frozen=True)
class Editor:
    """Who edits: an API key's name, e-mail and the first hex digits of its SHA-256."""

    name: str
    email: str
    key_prefix: str

    @property
    def identity(self) -> Identity:
        return Identity(self.name, self.email)


@dataclass(frozen=True)
class Fields:
    """The new content. None keeps the current file's value (an update) or leaves it out (a
    create); `variables` and `samples` are in the file's own shape."""

    template: str
    description: str | None = None
    variables: Mapping[str, Any] | None = None
    samples: Sequence[Mapping[str, Any]] | None = None
    translated_from: int | None = None  # a translation's: the base version it renders
    variants: Sequence[Mapping[str, Any]] | None = None  # [] removes them all


@dataclass(frozen=True)
class EditRequest:
    """One change of one prompt. `expected` is the version the editor started from (0 for a
    create); `target` the branch whose version counts; `rollback_to` a commit or `v<N>`."""

    prompt: PromptId
    action: Action
    expected: int
    editor: Editor
    message: str = ""
    fields: Fields | None = None
    target: str = DEFAULT_REF
    write_to: WriteTo = "branch"
    rollback_to: str | None = None


@dataclass(frozen=True)
class Written:
    """The commit is on `branch` (the target itself, or a new review branch)."""

    prompt: PromptId
    action: Action
    commit: str
    parent: str
    version: int | None  # None after a delete
    branch: str
    on_target: bool
    pushed_to: str | None = None  # the remote a review branch was pushed to
    warnings: tuple[Finding, ...] = ()
    data: bytes | None = None  # the file written (None: deleted), to place its findings


@dataclass(frozen=True)
class Rejected:
    """The new file would not pass validation; nothing was written."""

    prompt: PromptId
    findings: tuple[Finding, ...]
    data: bytes | None = None  # the file that was refused (None: a delete)


@dataclass(frozen=True)
class LastChange:
    """The commit that last changed a prompt's file."""

    commit: str
    author_name: str
    author_email: str
    date: datetime
    subject: str


ConflictReason = Literal["version-moved", "exists", "missing", "being-edited"]


@dataclass(frozen=True)
class Conflict:
    """The editor's version is not the current one (or a review branch for that version is
    already open). Everything a person needs to redo the change on top of the current text."""

    prompt: PromptId
    reason: ConflictReason
    detail: str
    expected: int
    current_version: int | None
    current_template: str | None
    last_change: LastChange | None
    diff: str  # unified diff: the editor's template -> the current one
    branch: str  # where the current text was read


@dataclass(frozen=True)
class PushFailed:
    """The review branch could not be pushed; it was removed again, so a retry starts clean."""

    prompt: PromptId
    branch: str
    remote: str
    error: str


Outcome = Written | Rejected | Conflict | PushFailed


class EditError(PromptSyncError):
    """A request that cannot be carried out as asked (e.g. a rollback to a revision the prompt
    never had); `kind` is `not-found` or `invalid`."""

    def __init__(self, message: str, kind: Literal["not-found", "invalid"] = "invalid") -> None:
        super().__init__(message)
        self.kind = kind
