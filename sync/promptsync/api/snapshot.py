"""The prompt repository's files at the followed branch's head, kept in memory per commit.

A preview needs the rule files (schema/) and one or two prompt files of the branch head. Reading
them from git costs a process per request; a commit never changes, so its files are read once
(one `ls-tree`, one `cat-file --batch`) and kept until the branch moves. Git is read by one
thread at a time: a GitRepository is not thread-safe, and previews run in worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from promptsync.errors import GitError
from promptsync.gitio.repo import GitRepository
from promptsync.lru import LRU
from promptsync.tree import SourceFile


@dataclass(frozen=True)
class Snapshot:
    """The tracked files of one commit, with their bytes."""

    commit: str
    files: Mapping[str, SourceFile]

    def has_brand(self, brand: str) -> bool:
        prefix = f"prompts/{brand}/"
        return any(path.startswith(prefix) for path in self.files)

    def read(self, path: str) -> bytes | None:
        found = self.files.get(path)
        return None if found is None else found.read()


class BranchFiles:
    """`snapshot()`: the files of `ref`'s head now; re-read only when the head moved."""

    def __init__(self, repo: Path, ref: str) -> None:
        self.repo_path, self.ref = repo, ref
        self._lock = threading.Lock()
        self._repo: GitRepository | None = None
        self._opener: threading.Thread | None = None
        self._snapshots: LRU[str, Snapshot] = LRU(4)

    def snapshot(self) -> Snapshot:
        with self._lock:
            try:
                return self._snapshot()
            except (OSError, GitError):
                # The thread that started git may have ended while this one used it (see
                # _open): a broken pipe, or a read that never answers. Once more, afresh.
                self._close()
                return self._snapshot()

    def _snapshot(self) -> Snapshot:
        repo = self._open()
        sha = repo.resolve(self.ref)
        found = self._snapshots.get(sha)
        if found is None:
            found = _read(repo, sha)
            self._snapshots.put(sha, found)
        return found

    def _open(self) -> GitRepository:
        # git children die with the thread that started them (gitio.lifetime), and GitPython
        # keeps a `cat-file` child per repository: callers run in worker threads, and one that
        # ended took that child with it. Start git again from this thread.
        if self._opener is not None and not self._opener.is_alive():
            self._close()
        if self._repo is None:
            self._repo = GitRepository(self.repo_path)
            self._opener = threading.current_thread()
        return self._repo

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo, self._opener = None, None


def _read(repo: GitRepository, sha: str) -> Snapshot:
    listed = [f for f in repo.files(sha) if not (f.is_symlink or f.is_gitlink)]
    contents = repo.read_blobs([f.blob for f in listed])
    files = {f.path: _held(f, contents.get(f.blob, b"")) for f in listed}
    return Snapshot(sha, files)


def _held(f: SourceFile, data: bytes) -> SourceFile:
    return SourceFile(f.path, f.blob, lambda: data)
