"""Reading a repository without its working tree: refs, trees, blobs, commits and diffs.

Each question is one git command spawned without GitPython (see `spawn`), but for those that
GitPython's persistent `cat-file` answers without a process (one blob, a commit's fields), and
`find` once GitPython is open: the daemon keeps its repository open across cycles. GitPython
is imported and its Repo opened on the first such question: `promptsync validate` asks none.
GitPython keeps `git cat-file` children alive per Repo object; long-running callers must
`close()` (or use the context manager) every cycle, which ends them. One GitRepository is used
by one thread (see `lifetime`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from promptsync.errors import GitError
from promptsync.gitio import ZERO_SHA, short
from promptsync.gitio.spawn import not_a_repository, run_local
from promptsync.model import TRACKED_DIRS
from promptsync.tree import SourceFile, Tree, gitlink, is_tracked

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
REVISION_HINT = "is --repo a git repository with that revision?"

if TYPE_CHECKING:
    import git


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author_name: str
    author_email: str
    committed_at: datetime
    message: str
    parents: tuple[str, ...]


class FileAt(NamedTuple):
    """A regular file (or a symlink) in a commit: its mode and its bytes."""

    mode: str
    data: bytes


def open_repo(path: Path) -> git.Repo:
    """GitPython's Repo for exactly `path` (a work tree's top or a bare repository)."""
    from git.exc import InvalidGitRepositoryError, NoSuchPathError

    from promptsync.gitio.command import PolicyRepo

    try:
        return PolicyRepo(path)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise not_a_repository(path, _enclosing(path)) from None


def _enclosing(path: Path) -> str | None:
    import git
    from git.exc import InvalidGitRepositoryError, NoSuchPathError

    try:
        with git.Repo(path, search_parent_directories=True) as outer:
            top = outer.working_tree_dir
            return str(top) if top else None
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None


def check_repository(path: Path) -> Path:
    """`path` itself when it is a git repository (bare or not); else the one GitError."""
    open_repo(path).close()
    return path


class GitRepository:
    """One repository (bare or not), opened by path."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._answers: dict[tuple[str, ...], Any] = {}
        self._held: dict[str, str | None] | None = None  # see refs_held
        if not _looks_like_repository(self.path):
            self._repo  # GitPython decides, and says why not  # noqa: B018

    @functools.cached_property
    def _repo(self) -> git.Repo:
        return open_repo(self.path)

    def __enter__(self) -> GitRepository:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """End the cat-file children and free file handles GitPython keeps per object."""
        if "_repo" in self.__dict__:  # opened
            self._repo.close()

    @property
    def common_dir(self) -> Path:
        """The directory holding refs/ and packed-refs (shared by all work trees)."""
        return Path(self._repo.common_dir).resolve()

    # The command line is gitio's alone (the modules of this package call these two); the rest
    # of promptsync asks the typed questions below and in commits.py, log.py and push.py.
    def _run(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
             hint: str = REVISION_HINT) -> str:
        """`git <args>` as text; a failure becomes a GitError with the command, stderr and hint."""
        data = None if input is None else input.encode()
        return self._run_bytes(*args, input=data, env=env, hint=hint).decode("utf-8", "replace")

    def _run_bytes(self, *args: str, input: bytes | None = None,
                   env: dict[str, str] | None = None, hint: str = REVISION_HINT) -> bytes:
        return run_local(self.path, args, input=input, env=env, hint=hint)

    def resolve(self, rev: str) -> str:
        """The commit SHA `rev` names; GitError when it names none."""
        sha = self.find(rev)
        if sha is None:
            raise GitError(f"{rev!r} is not a commit in {self.path} "
                           "(hint: is the branch fetched? try `git branch -a`)")
        return sha

    def find(self, rev: str) -> str | None:
        """The commit SHA `rev` names, or None."""
        known = self._answers.get(("find", rev))  # a commit SHA found once names itself
        if known is not None:
            return str(known)
        if self._held is not None and rev in self._held:
            return self._held[rev]
        sha = self._find(rev)
        if sha is not None:
            self._answers[("find", sha)] = sha
        if self._held is not None:
            self._held[rev] = sha
        return sha

    @contextmanager
    def refs_held(self) -> Iterator[None]:
        """Inside, each revision is resolved once: a question that names one ref several times
        (which base `validate` compares with) costs one process per ref, and gets one answer
        even if the ref moves meanwhile."""
        self._held = {}
        try:
            yield
        finally:
            self._held = None

    def _find(self, rev: str) -> str | None:
        if "_repo" not in self.__dict__:
            # One `rev-parse` costs less than opening GitPython (a run of `validate`).
            try:
                sha = self._run("rev-parse", "--verify", "--quiet", "--end-of-options",
                                f"{rev}^{{commit}}").strip()
            except GitError:
                return None
        else:
            # An open Repo's persistent cat-file answers without a process (the daemon's).
            from git.exc import BadName, GitCommandError

            try:
                sha = str(self._repo.commit(rev).hexsha)
            except (BadName, ValueError, GitCommandError):
                return None
        # GitPython hands the null id back unchecked; it names no commit (a 503 from the API).
        return None if sha.strip("0") == "" else sha

    def current_branch(self) -> str | None:
        """The checked-out branch's name; None on a detached HEAD."""
        try:
            ref = self._run("symbolic-ref", "--quiet", "HEAD").strip()
        except GitError:  # exit 1: detached
            return None
        return ref.removeprefix("refs/heads/")

    def upstream(self) -> str | None:
        """The current branch's upstream (`@{upstream}`, e.g. origin/main), or None."""
        try:
            name = self._run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
        except GitError:
            return None
        return name.strip() or None

    def files(self, sha: str, dirs: tuple[str, ...] = TRACKED_DIRS, *,
              read: bool = False) -> list[SourceFile]:
        """Every file under `dirs` in the commit's tree, contents read lazily by blob id; with
        `read`, every regular file's bytes at once, from one `cat-file --batch` (what a check
        of the whole tree needs: 0.4 s for 10,000 files, one by one 2.0 s)."""
        out = self._run("ls-tree", "-r", "-z", "--full-tree", sha, "--", *dirs)
        entries: list[tuple[str, str, str]] = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, _, blob = meta.split()
            if is_tracked(path):
                entries.append((mode, blob, path))
        loaded = self.read_blobs({blob for mode, blob, _ in entries
                                  if mode not in (GITLINK_MODE, SYMLINK_MODE)}) if read else {}
        return [self._source(mode, blob, path, loaded.get(blob)) for mode, blob, path in entries]

    def file_at(self, sha: str, path: str) -> FileAt | None:
        """The file at `path` in commit `sha` (its mode and bytes), or None when that commit has
        no file there (nothing, a folder or a submodule)."""
        listing = self._run("ls-tree", "-z", sha, "--", path).rstrip("\0")
        if not listing:
            return None
        mode, kind, blob = listing.split("\t", 1)[0].split()
        return FileAt(mode, self.read_blob(blob)) if kind == "blob" else None

    def _source(self, mode: str, blob: str, path: str, data: bytes | None = None) -> SourceFile:
        if mode == GITLINK_MODE:  # a submodule: a commit of another repository, no content here
            return gitlink(path)
        if mode == SYMLINK_MODE:
            target = self.read_blob(blob).decode("utf-8", "replace")
            return SourceFile(path, blob, _BlobReader(self, blob), True, target)
        if data is not None:
            return SourceFile(path, blob, _Read(data))
        return SourceFile(path, blob, _BlobReader(self, blob))

    def tree(self, rev: str) -> Tree:
        """The commit `rev` names as a Tree labelled by the revision and its short sha."""
        sha = self.resolve(rev)
        label = short(sha) if sha.startswith(rev) else f"{rev} ({short(sha)})"
        return Tree(label, tuple(self.files(sha)))

    def read_blob(self, blob: str) -> bytes:
        return bytes(self._repo.odb.stream(bytes.fromhex(blob)).read())

    def read_blobs(self, blobs: set[str] | list[str]) -> dict[str, bytes]:
        """The content of many blobs from one `git cat-file --batch`; missing ones left out."""
        wanted = sorted(set(blobs) - {ZERO_SHA})
        if not wanted:
            return {}
        out = self._run_bytes("cat-file", "--batch",
                             input="".join(f"{b}\n" for b in wanted).encode())
        return _parse_batch(out)

    def known_commits(self, shas: list[str]) -> set[str]:
        """Those of `shas` this repository holds as commits, from one `cat-file --batch-check`."""
        if not shas:
            return set()
        out = self._run("cat-file", "--batch-check", input="".join(f"{s}\n" for s in shas))
        return {parts[0] for parts in map(str.split, out.splitlines())
                if parts[1:2] == ["commit"]}

    def merge_base(self, one: str, other: str) -> str | None:
        """The best common ancestor of two commits; None when they share no history."""
        try:
            return self._run("merge-base", one, other).strip() or None
        except GitError:  # exit 1: unrelated histories
            return None

    def paths_changed_since(self, sha: str, under: str) -> set[str]:
        """Paths under `under` that differ between commit `sha` and the working tree (HEAD's
        tree in a bare repository, which has none)."""
        try:
            out = self._run("diff", "--name-only", "-z", "--no-renames", sha, "--", under)
        except GitError:
            out = self._run("diff-tree", "-r", "--name-only", "-z", "--no-renames", sha, "HEAD",
                            "--", under)
        return {path for path in out.split("\0") if path}

    def is_shallow(self) -> bool:
        """Whether this is a shallow clone (its history stops before the first commit)."""
        try:
            return self._run("rev-parse", "--is-shallow-repository").strip() == "true"
        except GitError:
            return False

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
            out = self._run("diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new,
                           "--", *TRACKED_DIRS, env=self._no_index())
            fields = [f for f in out.split("\0") if f]
            self._answers[key] = [(fields[i], fields[i + 1])
                                  for i in range(0, len(fields) - 1, 2)]
        return list(self._answers[key])

    def _no_index(self) -> dict[str, str]:
        """For a command that compares commits: git diff-tree reads the index all the same
        (29 ms of its 45 at 100,000 files, and a damaged index fails it); an index file that
        does not exist reads as an empty one in no time."""
        return {"GIT_INDEX_FILE": str(Path(self._repo.git_dir) / "promptsync" / "no-index")}

    def has_commit(self, sha: str) -> bool:
        """Whether the object database holds commit `sha` (a force-push may have dropped it)."""
        key = ("has", sha)
        if key not in self._answers:
            # A process of its own, not the persistent `cat-file`: that one still reads the
            # packs a gc has since deleted, and would vouch for a commit that is gone.
            self._answers[key] = bool(self.known_commits([sha]))
        return bool(self._answers[key])

    def is_ancestor(self, older: str, newer: str) -> bool:
        key = ("ancestor", older, newer)
        if key not in self._answers:
            self._answers[key] = self._parent_says(older, newer)
        if self._answers[key] is None:
            try:
                self._run("merge-base", "--is-ancestor", older, newer)
                self._answers[key] = True
            except GitError:
                self._answers[key] = False
        return bool(self._answers[key])

    def _parent_says(self, older: str, newer: str) -> bool | None:
        """The answer for a commit and its parent (a daemon's usual question, asked of each
        new commit), from the commits themselves; None: ask git to walk the history."""
        from git.exc import BadName, BadObject

        if older == newer:
            return True
        try:
            if older in self.commit_info(newer).parents:
                return True
            if newer in self.commit_info(older).parents:
                return False  # no commit is an ancestor of its own parent
        except (ValueError, BadName, BadObject):
            pass  # not a commit this repository holds: git says so
        return None

    def forget(self) -> None:
        """Drop the answers above: a repository kept open across cycles asks them again
        (a force-push and a gc can take a commit away)."""
        self._answers.clear()


def _looks_like_repository(path: Path) -> bool:
    """A work tree's top (`.git` there, a folder or a worktree's file) or a bare repository:
    what GitPython opens without searching upwards, told without it."""
    return (path / ".git").exists() or ((path / "HEAD").is_file()
                                        and (path / "objects").is_dir()
                                        and (path / "refs").is_dir())


def _parse_batch(out: bytes) -> dict[str, bytes]:
    """`<sha> <type> <size>\\n<content>\\n` records; `<sha> missing` ones are left out."""
    contents: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        eol = out.index(b"\n", pos)
        header = out[pos:eol].split()
        pos = eol + 1
        if len(header) != 3:  # "<sha> missing" (e.g. a shallow clone)
            continue
        size = int(header[2])
        contents[header[0].decode()] = out[pos:pos + size]
        pos += size + 1
    return contents


@dataclass(frozen=True)
class _BlobReader:
    repo: GitRepository
    blob: str

    def __call__(self) -> bytes:
        return self.repo.read_blob(self.blob)


@dataclass(frozen=True)
class _Read:
    data: bytes

    def __call__(self) -> bytes:
        return self.data
