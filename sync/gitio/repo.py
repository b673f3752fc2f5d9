"""A thin, closable wrapper over GitPython that reads everything from one commit's tree.

GitPython keeps `git cat-file` children alive per Repo object; long-running callers must
`close()` (or use the context manager) every cycle, which ends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import git
from git.exc import BadName, GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from promptsync.errors import GitError
from promptsync.model import TRACKED_DIRS
from promptsync.tree import SourceFile, Tree, is_tracked

SYMLINK_MODE = "120000"


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
        self._answers: dict[tuple[str, ...], Any] = {}
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
            if kind != "blob" or not is_tracked(path):
                continue
            if mode == SYMLINK_MODE:
                target = self.read_blob(blob).decode("utf-8", "replace")
                files.append(SourceFile(path, blob, _BlobReader(self, blob), True, target))
            else:
                files.append(SourceFile(path, blob, _BlobReader(self, blob)))
        return files

    def tree(self, rev: str) -> Tree:
        """The commit `rev` names as a Tree labelled by the revision and its short sha."""
        sha = self.resolve(rev)
        label = sha[:7] if sha.startswith(rev) else f"{rev} ({sha[:7]})"
        return Tree(label, tuple(self.files(sha)))

    def read_blob(self, blob: str) -> bytes:
        return bytes(self._repo.odb.stream(bytes.fromhex(blob)).read())

    def commit_info(self, sha: str) -> CommitInfo:
        c = self._repo.commit(sha)
        return CommitInfo(c.hexsha, str(c.author.name or ""), str(c.author.email or ""),
                          datetime.fromtimestamp(c.committed_date, UTC), str(c.message),
                          tuple(p.hexsha for p in c.parents))

    # The three questions below take commit SHAs, whose answers never change while this
    # object is open (one sync attempt); the gate, the planner and the staleness check each ask
    # them, so each is answered by one git process, not three.

    def changed_paths(self, old: str, new: str) -> list[tuple[str, str]]:
        """(status letter, path) for each file under TRACKED_DIRS that differs between two
        commits; renames show as D + A."""
        key = ("diff", old, new)
        if key not in self._answers:
            out = self.run("diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new,
                           "--", *TRACKED_DIRS)
            fields = [f for f in out.split("\0") if f]
            self._answers[key] = [(fields[i], fields[i + 1])
                                  for i in range(0, len(fields) - 1, 2)]
        return list(self._answers[key])

    def has_commit(self, sha: str) -> bool:
        """Whether the object database holds commit `sha` (a force-push may have dropped it)."""
        key = ("has", sha)
        if key not in self._answers:
            try:
                self.run("cat-file", "-e", f"{sha}^{{commit}}")
                self._answers[key] = True
            except GitError:
                self._answers[key] = False
        return bool(self._answers[key])

    def is_ancestor(self, older: str, newer: str) -> bool:
        key = ("ancestor", older, newer)
        if key not in self._answers:
            try:
                self._repo.git.merge_base("--is-ancestor", older, newer)
                self._answers[key] = True
            except GitCommandError:
                self._answers[key] = False
        return bool(self._answers[key])


@dataclass(frozen=True)
class _BlobReader:
    repo: GitRepository
    blob: str

    def __call__(self) -> bytes:
        return self.repo.read_blob(self.blob)
