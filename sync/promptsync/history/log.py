"""The audit log of the prompts, read from git in one pass.

One `git log --raw` walks every commit that touched prompts/ and names the blobs before and
after each change; one `git cat-file --batch` then reads all those blobs for their versions.
So the cost is two git processes whatever the length of the history, never one per commit.
A merge commit is listed only for what it changed itself (a resolved conflict, say: git's
combined diff, `-c`); everything else is credited to the commit that made it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from promptsync.gitio.repo import GitRepository
from promptsync.model import PROMPTS_DIR, PromptId
from promptsync.versionline import content_key, read_version

# Fields of one commit's header; the message (%B) is last, then git's raw diff lines.
LOG_FORMAT = "%x1e%H%x00%an%x00%ae%x00%aI%x00%B%x00"
REVERT_RE = re.compile(r"This reverts commit ([0-9a-f]{7,64})")
TRAILER_RE = re.compile(r"^Rolled-back-to:\s*([0-9a-f]{7,64})\s*$", re.MULTILINE)
# The API's commits name the key that made them (the last such line: the trailers end it).
ADMIN_KEY_RE = re.compile(r"^Admin-Key:\s*(sha256:[0-9a-f]{6,64})\s*$", re.MULTILINE)


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


@dataclass(frozen=True)
class _Entry:
    """A raw diff line of `git log --raw`: blobs before/after and the paths."""

    status: str
    old_blob: str
    new_blob: str
    old_path: str
    new_path: str


@dataclass(frozen=True)
class _Commit:
    sha: str
    author_name: str
    author_email: str
    date: datetime
    message: str
    entries: tuple[_Entry, ...]


def read_history(repo: GitRepository, rev: str = "HEAD") -> list[Change]:
    """Every change of every prompt reachable from `rev`, newest first."""
    commits = list(_parse_log(repo.run_bytes("log", "-z", "--raw", "-c", "-M", "--no-abbrev",
                                             "--date-order", f"--format={LOG_FORMAT}", rev,
                                             "--", f"{PROMPTS_DIR}/")))
    blobs = {b for c in commits for e in c.entries for b in (e.old_blob, e.new_blob)}
    contents = repo.read_blobs(blobs)
    return list(reversed(_classify(reversed(commits), contents)))


def _parse_log(out: bytes) -> Iterator[_Commit]:
    for record in out.decode("utf-8", "replace").split("\x1e"):
        if not record:
            continue
        sha, name, email, date, message, rest = record.split("\0", 5)
        yield _Commit(sha, name, email, datetime.fromisoformat(date), message.strip(),
                      tuple(_parse_entries(rest.split("\0"))))


def _parse_entries(tokens: list[str]) -> Iterator[_Entry]:
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip("\n")
        i += 1
        if not meta.startswith(":"):
            continue
        if meta.startswith("::"):  # a merge's own change: compare with its first parent
            yield _merge_entry(meta, tokens[i])
            i += 1
            continue
        _, _, old_blob, new_blob, status = meta[1:].split(" ")
        if status[0] in "RC":
            old_path, new_path = tokens[i], tokens[i + 1]
            i += 2
        else:
            old_path = new_path = tokens[i]
            i += 1
        yield _Entry(status[0], old_blob, new_blob, old_path, new_path)


def _merge_entry(meta: str, path: str) -> _Entry:
    """`::<modes> <blobs> <status>` of `git log -c --raw`: one mode and blob per parent, then
    the result's."""
    fields = meta.lstrip(":").split(" ")
    parents = len(fields[-1])
    blobs = fields[parents + 1: 2 * parents + 2]
    old, new = blobs[0], blobs[-1]
    status = "A" if set(old) == {"0"} else "D" if set(new) == {"0"} else "M"
    return _Entry(status, old, new, path, path)


class _Classifier:
    """Walks the commits oldest first, remembering each prompt's earlier contents."""

    def __init__(self, contents: dict[str, bytes]) -> None:
        self.contents = contents
        self.seen: dict[PromptId, dict[str, str]] = {}  # id -> content key -> first commit

    def version(self, blob: str) -> int | None:
        data = self.contents.get(blob)
        return read_version(data) if data is not None else None

    def change(self, commit: _Commit, entry: _Entry) -> Change | None:
        new_id = PromptId.from_path(entry.new_path)
        old_id = PromptId.from_path(entry.old_path)
        prompt = new_id or old_id
        if prompt is None:
            return None
        action, restores = self._action(commit, entry, prompt, old_id)
        return Change(commit.sha, commit.author_name, commit.author_email, commit.date, action,
                      prompt, self.version(entry.old_blob) if entry.status != "A" else None,
                      self.version(entry.new_blob) if entry.status != "D" else None,
                      commit.message.split("\n", 1)[0],
                      old_id if entry.status == "R" and old_id != new_id else None, restores,
                      admin_key=_admin_key(commit.message))

    def _action(self, commit: _Commit, entry: _Entry, prompt: PromptId,
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
        # `promptsync rollback` names the revision it restores; an earlier content that comes
        # back names itself; `git revert` names only the commit it undoes.
        trailer = TRAILER_RE.search(commit.message)
        if trailer:
            return "rollback", trailer.group(1)
        if earlier and (previous is None or content_key(previous) != key):
            return "rollback", earlier
        reverted = REVERT_RE.search(commit.message)
        if reverted:
            return "rollback", reverted.group(1)
        if entry.status == "R":
            return "rename", None
        return ("create", None) if entry.status in "AC" else ("update", None)


def _admin_key(message: str) -> str | None:
    keys = ADMIN_KEY_RE.findall(message)
    return keys[-1] if keys else None


def _classify(commits: Iterator[_Commit], contents: dict[str, bytes]) -> list[Change]:
    classifier = _Classifier(contents)
    changes = []
    for commit in commits:
        for entry in commit.entries:
            change = classifier.change(commit, entry)
            if change is not None:
                changes.append(change)
    return changes


def with_live_times(changes: list[Change], live: dict[str, datetime]) -> list[Change]:
    """`changes` with `live_at` filled from {commit: when it went live}."""
    return [replace(c, live_at=live.get(c.commit)) for c in changes]


