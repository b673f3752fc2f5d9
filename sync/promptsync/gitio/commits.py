"""Writing a commit without a working tree, and moving a ref by compare-and-swap.

The commit's tree is built in a private index (GIT_INDEX_FILE in a temporary folder) from its
parent's tree, so whoever has the repository checked out keeps their branch, index and files as
they were. The ref then moves with `git update-ref REF NEW OLD`, which git applies only while REF
is still OLD: the optimistic lock of a write. A ref that moved in between is `RefMoved` (what the
HTTP API answers with 409), told apart from every other failure.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from promptsync.errors import GitError
from promptsync.gitio import ZERO_SHA, short
from promptsync.gitio.repo import GitRepository

REGULAR_MODE = "100644"


@dataclass(frozen=True)
class Identity:
    """An author or committer of a commit."""

    name: str
    email: str


@dataclass(frozen=True)
class FileChange:
    """`path` gets `data` as its content; `data=None` removes the file."""

    path: str
    data: bytes | None
    mode: str = REGULAR_MODE


class RefLocked(GitError):
    """The ref's lock file is there: another git process is writing it, or one was killed while
    it did and left the lock behind (git never removes another process's lock)."""

    def __init__(self, ref: str, lock: Path) -> None:
        self.ref, self.lock = ref, lock
        super().__init__(f"{ref}.lock exists: another git process is writing {ref}, or one was "
                         f"stopped while it did and left its lock behind (hint: when no git "
                         f"process is running on the repository, delete {ref}.lock in its git "
                         "directory; the full path is in the server's log)")


class RefMoved(GitError):
    """The ref was not where the writer last saw it: someone else wrote first."""

    def __init__(self, ref: str, expected: str | None, actual: str | None) -> None:
        self.ref, self.expected, self.actual = ref, expected, actual
        super().__init__(f"{ref} moved: expected {_shown(expected)}, found {_shown(actual)} "
                         "(hint: read it again and redo the change on top)")


def _shown(sha: str | None) -> str:
    return short(sha) if sha else "no such ref"


def branch_ref(name: str) -> str:
    return name if name.startswith("refs/") else f"refs/heads/{name}"


def is_valid_branch(repo: GitRepository, name: str) -> bool:
    """Whether git accepts `name` as a new branch's name."""
    try:
        return repo._run("check-ref-format", "--branch", name).strip() == name
    except GitError:
        return False


def ref_value(repo: GitRepository, ref: str) -> str | None:
    """The commit `ref` points at now, or None when there is no such ref."""
    try:
        return repo._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip() or None
    except GitError:
        return None


def write_commit(repo: GitRepository, parent: str | None, changes: Sequence[FileChange],
                 message: str, *, author: Identity | None = None,
                 committer: Identity | None = None) -> str:
    """A new commit: `parent`'s tree with `changes`. No ref moves (see `update_ref`). Without
    an identity, git's own configuration (user.name, GIT_AUTHOR_NAME, ...) applies."""
    tree = write_tree(repo, parent, changes)
    parents = ["-p", parent] if parent else []
    env = {**_identity("AUTHOR", author), **_identity("COMMITTER", committer)}
    return repo._run("commit-tree", tree, *parents, input=message, env=env,
                    hint="set user.name and user.email, or pass an identity").strip()


def write_tree(repo: GitRepository, parent: str | None, changes: Sequence[FileChange]) -> str:
    """The tree id of `parent`'s tree (empty without one) with `changes` applied."""
    lines = [_index_line(repo, change) for change in changes]
    with tempfile.TemporaryDirectory(prefix="promptsync-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if parent:
            repo._run("read-tree", parent, env=env)
        repo._run("update-index", "-z", "--index-info", input="".join(lines), env=env)
        return repo._run("write-tree", env=env).strip()


def _index_line(repo: GitRepository, change: FileChange) -> str:
    if change.data is None:  # mode 0 removes the path from the index
        return f"0 {ZERO_SHA}\t{change.path}\0"
    blob = repo._run_bytes("hash-object", "-w", "--stdin", input=change.data).decode().strip()
    return f"{change.mode} {blob}\t{change.path}\0"


def _identity(role: str, who: Identity | None) -> dict[str, str]:
    if who is None:
        return {}
    return {f"GIT_{role}_NAME": who.name, f"GIT_{role}_EMAIL": who.email}


def ref_lock(repo: GitRepository, ref: str) -> Path | None:
    """The lock file of `ref` when one is there now (git's `<ref>.lock`), else None."""
    lock = repo.common_dir / f"{branch_ref(ref)}.lock"
    return lock if lock.exists() else None


def update_ref(repo: GitRepository, ref: str, new: str, old: str | None,
               reason: str = "promptsync") -> None:
    """Point `ref` at `new`, only if it still points at `old` (None: only if it does not exist
    yet). RefMoved when it does not; RefLocked when its lock file is held; GitError for any
    other failure."""
    ref = branch_ref(ref)
    try:
        repo._run("update-ref", "-m", reason, ref, new, old or ZERO_SHA)
    except GitError:
        actual = ref_value(repo, ref)
        if actual != old:
            raise RefMoved(ref, old, actual) from None
        lock = ref_lock(repo, ref)
        if lock is not None:
            raise RefLocked(ref, lock) from None
        raise


def branches(repo: GitRepository, prefix: str) -> list[tuple[str, str]]:
    """(branch name, commit) of every branch whose name starts with `prefix`."""
    out = repo._run("for-each-ref", "--format=%(refname) %(objectname)",
                    f"{branch_ref(prefix).rstrip('/')}/")
    return [(ref.removeprefix("refs/heads/"), sha)
            for ref, sha in (line.split() for line in out.splitlines() if line.strip())]


def delete_ref(repo: GitRepository, ref: str, expected: str) -> None:
    """Remove `ref`, only while it still points at `expected` (GitError when it does not)."""
    repo._run("update-ref", "-d", branch_ref(ref), expected)
