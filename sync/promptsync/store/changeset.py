"""What one commit changes in the database: the value the daemon plans and the store applies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from promptsync.locale import language
from promptsync.model import PromptDoc, PromptId, id_order


@dataclass(frozen=True)
class CommitMeta:
    """The commit being published, as the prompt rows record it."""

    sha: str
    author: str
    committed_at: datetime
    message: str = ""


@dataclass(frozen=True)
class ChangeSet:
    """Move the database from `from_commit` (at `from_generation`) to `commit`.

    `upserts` are the prompts whose file changed, `deletes` the ids whose file is gone.
    `rollback` marks a revert commit: upserts are recorded with the action `rollback` instead of
    create/update. `languages` gives the language of each base text among the upserts (its
    brand's, from brand.yaml), and of live base texts whose brand changed its language: those
    rows are rewritten with it even though their file did not change.
    """

    from_commit: str | None
    from_generation: int
    commit: CommitMeta
    upserts: tuple[PromptDoc, ...] = ()
    deletes: tuple[PromptId, ...] = ()
    rollback: bool = False
    languages: Mapping[PromptId, str] = field(default_factory=lambda: MappingProxyType({}))

    def language_of(self, pid: PromptId) -> str:
        """The language of the text at `pid`: a translation's is its tag's."""
        return language(pid.locale) if pid.locale else self.languages.get(pid, "")

    def relanguaged(self) -> list[PromptId]:
        """Live texts whose file did not change but whose language did."""
        touched = {d.id for d in self.upserts} | set(self.deletes)
        return sorted(set(self.languages) - touched, key=id_order)


@dataclass
class ApplyResult:
    """What the transaction did; `generation` is the published generation after it."""

    generation: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # (id, version, action) of every row written to prompt_versions: what a notification names.
    changed: list[tuple[PromptId, int, str]] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return self.created + self.updated + self.deleted
