"""What one commit changes in the database: the value the daemon plans and the store applies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from promptsync.model import PromptDoc, PromptId


@dataclass(frozen=True)
class CommitMeta:
    """The commit being published, as the prompt rows record it."""

    sha: str
    author: str
    committed_at: datetime


@dataclass(frozen=True)
class ChangeSet:
    """Move the database from `from_commit` (at `from_generation`) to `commit`.

    `upserts` are the prompts whose file changed, `deletes` the ids whose file is gone.
    `rollback` marks a revert commit: upserts are recorded with the action `rollback` instead of
    create/update.
    """

    from_commit: str | None
    from_generation: int
    commit: CommitMeta
    upserts: tuple[PromptDoc, ...] = ()
    deletes: tuple[PromptId, ...] = ()
    rollback: bool = False


@dataclass
class ApplyResult:
    """What the transaction did; `generation` is the published generation after it."""

    generation: int
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def touched(self) -> int:
        return self.created + self.updated + self.deleted
