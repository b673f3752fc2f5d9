"""A rollback is a change like any other: one new commit, on top of the published branch, that
restores a prompt's content at an earlier revision with its version bumped.

The commit is written without a working tree (`promptsync.gitio.commits`), so the editor's
checked-out branch, index and files are never touched, and its parent is the base (the branch
the daemon follows), never the editor's HEAD: a rollback made from a feature branch carries none
of that branch's unmerged commits. `build_rollback` makes the commit and moves no ref (the HTTP
API moves its branch by compare-and-swap); `make_rollback` also creates the review branch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from promptsync.errors import UsageError
from promptsync.gitio import short
from promptsync.gitio.commits import (
    FileChange,
    Identity,
    RefMoved,
    is_valid_branch,
    update_ref,
    write_commit,
)
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptId
from promptsync.trailers import ROLLED_BACK_TO, with_trailers
from promptsync.versionline import content_key, read_version, set_version


@dataclass(frozen=True)
class Rollback:
    """What a rollback made: `commit`, whose parent is `parent` (the base's head), and the
    branch that points at it (None until one does)."""

    prompt: PromptId
    commit: str
    parent: str
    restored_from: str
    version: int
    branch: str | None = None


def default_branch(prompt: PromptId, rev_sha: str) -> str:
    """`rollback/acme-greeting-1a2b3c4`; a translation's names its locale
    (`rollback/acme-greeting.de-1a2b3c4`), so it never takes its base text's branch."""
    tail = f".{prompt.locale}" if prompt.locale else ""
    return f"rollback/{prompt.brand}-{prompt.type.slug}{tail}-{short(rev_sha)}"


def resolve(repo: GitRepository, rev: str, what: str = "") -> str:
    sha = repo.find(rev)
    if sha is None:
        raise UsageError(f"{what}{rev!r} is not a commit in {repo.path} "
                         "(hint: a sha, a tag or a branch; see `promptsync history`)")
    return sha


def _message(prompt: PromptId, rev_sha: str, version: int,
             trailers: Sequence[tuple[str, str]]) -> str:
    return with_trailers(
        f"Roll back {prompt} to {short(rev_sha)}\n\n"
        f"Restores {prompt.path} as it was at {short(rev_sha)}, as version {version}.\n"
        "Made by `promptsync rollback`; review it like any other change.",
        [(ROLLED_BACK_TO, rev_sha), *trailers])


def restored_content(repo: GitRepository, prompt: PromptId, rev_sha: str,
                     head: str) -> tuple[str, bytes, int]:
    """(mode, bytes, version) of the restored file: the old content, version = head's + 1."""
    old = repo.file_at(rev_sha, prompt.path)
    if old is None:
        raise UsageError(f"{prompt} does not exist at {short(rev_sha)} "
                         f"(hint: `promptsync history {prompt}` lists its commits)")
    current = repo.file_at(head, prompt.path)
    if current is not None and content_key(current[1]) == content_key(old[1]):
        raise UsageError(f"{prompt} already has its content of {short(rev_sha)}: nothing to do")
    # A prompt deleted since REV comes back as a new prompt, and new prompts start at 1.
    current_version = read_version(current[1]) if current is not None else 0
    version = (current_version or 0) + 1
    return old[0], set_version(old[1], version), version


def build_rollback(repo: GitRepository, prompt: PromptId, rev: str, *, base: str,
                   author: Identity | None = None,
                   trailers: Sequence[tuple[str, str]] = ()) -> Rollback:
    """The commit restoring `prompt` as it was at `rev`, on top of `base`; no ref moves.
    Without `author`, git's configured identity; `trailers` end the message (`Admin-Key`)."""
    rev_sha, head = resolve(repo, rev), resolve(repo, base, "--base ")
    mode, data, version = restored_content(repo, prompt, rev_sha, head)
    commit = write_commit(repo, head, [FileChange(prompt.path, data, mode)],
                          _message(prompt, rev_sha, version, trailers),
                          author=author, committer=author)
    return Rollback(prompt, commit, head, rev_sha, version)


def make_rollback(repo: GitRepository, prompt: PromptId, rev: str, *, base: str,
                  branch: str | None = None, author: Identity | None = None,
                  trailers: Sequence[tuple[str, str]] = ()) -> Rollback:
    """`build_rollback`, then a new branch (default rollback/<brand>-<type>[.<locale>]-<rev>) at
    it."""
    branch = branch or default_branch(prompt, resolve(repo, rev))
    if not is_valid_branch(repo, branch):
        raise UsageError(f"{branch!r} is not a valid branch name")
    done = build_rollback(repo, prompt, rev, base=base, author=author, trailers=trailers)
    try:
        update_ref(repo, branch, done.commit, None, "promptsync rollback")
    except RefMoved:
        raise UsageError(f"branch {branch!r} already exists (hint: pass --branch NAME)") from None
    return replace(done, branch=branch)
