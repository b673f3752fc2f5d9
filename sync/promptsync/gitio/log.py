"""`git log`, read in one format by one parser into typed records.

Every question promptsync asks of history (the audit log, the last change of a file, the blobs
a file had) is one `git log -z --raw` in this format: a commit's header fields (the message
last), then git's raw diff lines naming the blobs before and after each change. A merge is
listed for what it changed itself (git's combined diff, `-c`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from promptsync.gitio.repo import GitRepository

# Each record starts with RS (%x1e); fields end with NUL; %B (the message) is the last field.
_FORMAT = "--format=%x1e%H%x00%an%x00%ae%x00%aI%x00%B%x00"


@dataclass(frozen=True)
class DiffEntry:
    """One raw diff line: a file's blobs before and after, with its paths (they differ for a
    rename or copy). `status` is git's letter: A, M, D, R, C, T."""

    status: str
    old_blob: str
    new_blob: str
    old_path: str
    new_path: str


@dataclass(frozen=True)
class LogCommit:
    """A commit as `git log` lists it, with the files it changed (only those asked about)."""

    sha: str
    author_name: str
    author_email: str
    date: datetime  # the author date, as git shows it
    message: str  # the whole message, stripped
    changes: tuple[DiffEntry, ...]

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


def read_log(repo: GitRepository, rev: str, paths: Sequence[str],
             limit: int | None = None) -> list[LogCommit]:
    """The commits reachable from `rev` that changed something under `paths`, newest first
    (at most `limit`), each with its changes of those paths."""
    count = [f"--max-count={limit}"] if limit is not None else []
    return parse_log(repo._run_bytes("log", "-z", "--raw", "-c", "-M", "--no-abbrev",
                                     "--date-order", _FORMAT, *count, rev, "--", *paths))


def last_commit_touching(repo: GitRepository, rev: str, path: str) -> LogCommit | None:
    """The newest commit reachable from `rev` that changed `path` (its deletion included)."""
    found = read_log(repo, rev, [path], limit=1)
    return found[0] if found else None


def ancestry(repo: GitRepository, tips: Sequence[str]) -> dict[str, list[str]]:
    """Every commit reachable from `tips`, with its parents, from one `git rev-list`."""
    if not tips:
        return {}
    out = repo._run("rev-list", "--parents", "--stdin", input="".join(f"{t}\n" for t in tips))
    graph: dict[str, list[str]] = {}
    for line in out.splitlines():
        sha, *parents = line.split()
        graph[sha] = parents
    return graph


def parse_log(out: bytes) -> list[LogCommit]:
    commits = []
    for record in out.decode("utf-8", "replace").split("\x1e"):
        if not record:
            continue
        sha, name, email, date, message, rest = record.split("\0", 5)
        commits.append(LogCommit(sha, name, email, datetime.fromisoformat(date), message.strip(),
                                 tuple(_changes(rest.split("\0")))))
    return commits


def _changes(tokens: list[str]) -> Iterator[DiffEntry]:
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip("\n")
        i += 1
        if not meta.startswith(":"):
            continue
        if meta.startswith("::"):  # a merge's own change: compare with its first parent
            yield _merge_change(meta, tokens[i])
            i += 1
            continue
        _, _, old_blob, new_blob, status = meta[1:].split(" ")
        if status[0] in "RC":
            old_path, new_path = tokens[i], tokens[i + 1]
            i += 2
        else:
            old_path = new_path = tokens[i]
            i += 1
        yield DiffEntry(status[0], old_blob, new_blob, old_path, new_path)


def _merge_change(meta: str, path: str) -> DiffEntry:
    """`::<modes> <blobs> <status>` of `git log -c --raw`: one mode and blob per parent, then
    the result's."""
    fields = meta.lstrip(":").split(" ")
    parents = len(fields[-1])
    blobs = fields[parents + 1: 2 * parents + 2]
    old, new = blobs[0], blobs[-1]
    status = "A" if set(old) == {"0"} else "D" if set(new) == {"0"} else "M"
    return DiffEntry(status, old, new, path, path)
