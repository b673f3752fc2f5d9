"""The audit log of the prompts, read from git in one pass.

One `git log --raw` walks every commit that touched prompts/ and names the blobs before and
after each change; one `git cat-file --batch` then reads all those blobs for their versions.
So the cost is two git processes whatever the length of the history, never one per commit.
A merge commit is listed only for what it changed itself (a resolved conflict, say: git's
combined diff, `-c`); everything else is credited to the commit that made it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from promptsync.core.variants import changes as variant_changes
from promptsync.gitio.log import DiffEntry, LogCommit, read_log
from promptsync.gitio.repo import GitRepository
from promptsync.model import PROMPTS_DIR, PromptId
from promptsync.record import variants_in
from promptsync.trailers import ROLLED_BACK_TO, admin_key, rolled_back_to, trailer_block
from promptsync.versionline import content_key, read_version


@dataclass(frozen=True)
class Change:
    """One change of one prompt by one commit."""

    commit: str
    author_name: str
    author_email: str
    date: datetime
    action: str  # create | update | delete | rename | rollback
    prompt: PromptId
    version_before: int | None
    version_after: int | None
    subject: str
    previous_id: PromptId | None = None  # the id before a rename
    # For a rollback: the commit whose content comes back (or, for a `git revert` of a change
    # whose earlier content is unknown, the commit it undoes).
    restores: str | None = None
    live_at: datetime | None = None
    admin_key: str | None = None  # `sha256:<prefix>` of the API key, from the trailer
    # What changed in the file's variants, in words (promptsync.core.variants.changes).
    variants: tuple[str, ...] = ()


def read_history(repo: GitRepository, rev: str = "HEAD") -> list[Change]:
    """Every change of every prompt reachable from `rev`, newest first."""
    commits = read_log(repo, rev, [f"{PROMPTS_DIR}/"])
    blobs = {b for c in commits for e in c.changes for b in (e.old_blob, e.new_blob)}
    contents = repo.read_blobs(blobs)
    return list(reversed(_classify(reversed(commits), contents)))


class _Classifier:
    """Walks the commits oldest first, remembering each prompt's earlier contents."""

    def __init__(self, contents: dict[str, bytes]) -> None:
        self.contents = contents
        self.seen: dict[PromptId, dict[str, str]] = {}  # id -> content key -> first commit

    def version(self, blob: str) -> int | None:
        data = self.contents.get(blob)
        return read_version(data) if data is not None else None

    def change(self, commit: LogCommit, entry: DiffEntry) -> Change | None:
        new_id = PromptId.from_path(entry.new_path)
        old_id = PromptId.from_path(entry.old_path)
        prompt = new_id or old_id
        if prompt is None:
            return None
        action, restores = self._action(commit, entry, prompt, old_id)
        return Change(commit.sha, commit.author_name, commit.author_email, commit.date, action,
                      prompt, self.version(entry.old_blob) if entry.status != "A" else None,
                      self.version(entry.new_blob) if entry.status != "D" else None,
                      commit.subject,
                      old_id if entry.status == "R" and old_id != new_id else None, restores,
                      admin_key=admin_key(commit.message),
                      variants=variant_changes(variants_in(self.contents.get(entry.old_blob)),
                                               variants_in(self.contents.get(entry.new_blob))))

    def _action(self, commit: LogCommit, entry: DiffEntry, prompt: PromptId,
                old_id: PromptId | None) -> tuple[str, str | None]:
        if entry.status == "D":
            return "delete", None
        if entry.status == "R" and old_id is not None and old_id != prompt:
            self.seen.setdefault(prompt, {}).update(self.seen.get(old_id, {}))
        history = self.seen.setdefault(prompt, {})
        data = self.contents.get(entry.new_blob)
        key = content_key(data) if data is not None else entry.new_blob
        previous = self.contents.get(entry.old_blob)
        earlier = history.get(key)
        history.setdefault(key, commit.sha)
        # A rollback is what says it is one (the one rule, promptsync.trailers: the daemon's
        # prompt_versions agrees); an earlier text that comes back by hand is an update that
        # restores it.
        brought_back = earlier if earlier and (previous is None
                                               or content_key(previous) != key) else None
        restored = rolled_back_to(commit.message)
        if restored is not None:
            # `promptsync rollback` names the revision it restores; `git revert` names only
            # the commit it undoes, so the text that came back names itself when it can.
            named = ROLLED_BACK_TO in trailer_block(commit.message)
            return "rollback", restored if named else (brought_back or restored)
        if entry.status == "R":
            return "rename", brought_back
        return ("create" if entry.status in "AC" else "update"), brought_back




def _classify(commits: Iterator[LogCommit], contents: dict[str, bytes]) -> list[Change]:
    classifier = _Classifier(contents)
    changes = []
    for commit in commits:
        for entry in commit.changes:
            change = classifier.change(commit, entry)
            if change is not None:
                changes.append(change)
    return changes


def with_live_times(changes: list[Change], live: dict[str, datetime]) -> list[Change]:
    """`changes` with `live_at` filled from {commit: when it went live}."""
    return [replace(c, live_at=live.get(c.commit)) for c in changes]


