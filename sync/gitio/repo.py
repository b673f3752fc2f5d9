"""A thin, closable wrapper over GitPython that reads everything from one commit's tree.

GitPython keeps `git cat-file` children alive per Repo object; long-running callers must
`close()` (or use the context manager) every cycle, which ends them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import git
from git.exc import BadName, GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from sync.errors import GitError
from sync.validate.source import SourceFile

SYMLINK_MODE = "120000"
TRACKED_DIRS = ("prompts", "schema")


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author_name: str
    author_email: str
    committed_at: datetime
    message: str
    parents: tuple[str, ...]


class GitRepository:
    """One repository (bare or not), opened by path."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._repo = git.Repo(self.path)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise GitError(f"{self.path} is not a git repository "
                           "(hint: pass --repo DIR or set PROMPTSYNC_REPO)") from None

    def __enter__(self) -> GitRepository:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """End the cat-file children and free file handles GitPython keeps per object."""
        self._repo.close()

    @property
    def raw(self) -> git.Repo:
        return self._repo

    def run(self, *args: str) -> str:
        """`git <args>`; a failure becomes a GitError with the command, stderr and a hint."""
        try:
            return str(self._repo.git.execute(["git", *args], strip_newline_in_stdout=False))
        except GitCommandError as exc:
            stderr = (exc.stderr or "").strip().removeprefix("stderr: ").strip("'\n ")
            raise GitError(f"git {' '.join(args)} failed: {stderr}") from None

    def resolve(self, rev: str) -> str:
        """The commit SHA `rev` names; GitError when it names none."""
        try:
            return self._repo.commit(rev).hexsha
        except (BadName, ValueError, GitCommandError):
            raise GitError(f"{rev!r} is not a commit in {self.path} "
                           "(hint: is the branch fetched? try `git branch -a`)") from None

    def files(self, sha: str, dirs: tuple[str, ...] = TRACKED_DIRS) -> list[SourceFile]:
        """Every file under `dirs` in the commit's tree, contents read lazily by blob id."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", sha, "--", *dirs)
        files: list[SourceFile] = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, kind, blob = meta.split()
            if kind != "blob":
                continue
            if mode == SYMLINK_MODE:
                target = self.read_blob(blob).decode("utf-8", "replace")
                files.append(SourceFile(path, blob, self._reader(blob), True, target))
            else:
                files.append(SourceFile(path, blob, self._reader(blob)))
        return files

    def _reader(self, blob: str) -> _BlobReader:
        return _BlobReader(self, blob)

    def read_blob(self, blob: str) -> bytes:
        return bytes(self._repo.odb.stream(bytes.fromhex(blob)).read())

    def read_file(self, sha: str, path: str) -> bytes | None:
        """A file's bytes at a commit, or None when the commit has no such file."""
        try:
            obj = self._repo.commit(sha).tree / path
        except KeyError:
            return None
        return bytes(obj.data_stream.read())

    def commit_info(self, sha: str) -> CommitInfo:
        c = self._repo.commit(sha)
        return CommitInfo(c.hexsha, str(c.author.name or ""), str(c.author.email or ""),
                          datetime.fromtimestamp(c.committed_date, UTC), str(c.message),
                          tuple(p.hexsha for p in c.parents))

    def changed_paths(self, old: str, new: str,
                      dirs: tuple[str, ...] = TRACKED_DIRS) -> list[tuple[str, str]]:
        """(status letter, path) for each file that differs; renames show as D + A."""
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new,
                       "--", *dirs)
        fields = [f for f in out.split("\0") if f]
        return [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]

    def has_commit(self, sha: str) -> bool:
        """Whether the object database holds commit `sha` (a force-push may have dropped it)."""
        try:
            self.run("cat-file", "-e", f"{sha}^{{commit}}")
            return True
        except GitError:
            return False

    def is_ancestor(self, older: str, newer: str) -> bool:
        try:
            self._repo.git.merge_base("--is-ancestor", older, newer)
            return True
        except GitCommandError:
            return False

    def iter_blobs(self, blobs: list[str]) -> Iterator[tuple[str, bytes]]:
        for blob in blobs:
            yield blob, self.read_blob(blob)


@dataclass(frozen=True)
class _BlobReader:
    repo: GitRepository
    blob: str

    def __call__(self) -> bytes:
        return self.repo.read_blob(self.blob)
