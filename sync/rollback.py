"""A rollback is a pull request like any other: one new commit on a new branch that restores a
prompt's content at an earlier revision with its version bumped.

The commit is written without a working tree (`promptsync.gitio.commits`), so the editor's
checked-out branch, index and working tree are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptsync.errors import UsageError
from promptsync.gitio import short
from promptsync.gitio.commits import FileChange, RefMoved, is_valid_branch, update_ref, write_commit
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptId
from promptsync.versionline import content_key, read_version, set_version

TRAILER = "Rolled-back-to"


@dataclass(frozen=True)
class Rollback:
    """What `make_rollback` created."""

    prompt: PromptId
    branch: str
    commit: str
    restored_from: str
    version: int


def default_branch(prompt: PromptId, rev_sha: str) -> str:
    return f"rollback/{prompt.brand}-{prompt.type.slug}-{short(rev_sha)}"


def resolve(repo: GitRepository, rev: str) -> str:
    sha = repo.find(rev)
    if sha is None:
        raise UsageError(f"{rev!r} is not a commit in {repo.path} "
                         "(hint: a sha, a tag or a branch; see `promptsync history`)")
    return sha


def _file_at(repo: GitRepository, sha: str, path: str) -> tuple[str, bytes] | None:
    """(mode, bytes) of `path` at commit `sha`, or None when it has no such file."""
    listing = repo.run("ls-tree", "-z", sha, "--", path).rstrip("\0")
    if not listing:
        return None
    mode, kind, blob = listing.split("\t", 1)[0].split()
    return (mode, repo.read_blob(blob)) if kind == "blob" else None


def _message(prompt: PromptId, rev_sha: str, version: int) -> str:
    return (f"Roll back {prompt} to {short(rev_sha)}\n\n"
            f"Restores {prompt.path} as it was at {short(rev_sha)}, as version {version}.\n"
            "Made by `promptsync rollback`; review it like any other change.\n\n"
            f"{TRAILER}: {rev_sha}\n")


def restored_content(repo: GitRepository, prompt: PromptId, rev_sha: str,
                     head: str) -> tuple[str, bytes, int]:
    """(mode, bytes, version) of the restored file: the old content, version = current + 1."""
    old = _file_at(repo, rev_sha, prompt.path)
    if old is None:
        raise UsageError(f"{prompt} does not exist at {short(rev_sha)} "
                         f"(hint: `promptsync history {prompt}` lists its commits)")
    current = _file_at(repo, head, prompt.path)
    if current is not None and content_key(current[1]) == content_key(old[1]):
        raise UsageError(f"{prompt} already has its content of {short(rev_sha)}: nothing to do")
    # A prompt deleted since REV comes back as a new prompt, and new prompts start at 1.
    current_version = read_version(current[1]) if current is not None else 0
    version = (current_version or 0) + 1
    return old[0], set_version(old[1], version), version


def make_rollback(repo: GitRepository, prompt: PromptId, rev: str,
                  branch: str | None = None) -> Rollback:
    """Create `branch` (default rollback/<brand>-<type>-<rev>) from HEAD with the one commit."""
    head, rev_sha = resolve(repo, "HEAD"), resolve(repo, rev)
    branch = branch or default_branch(prompt, rev_sha)
    if not is_valid_branch(repo, branch):
        raise UsageError(f"{branch!r} is not a valid branch name")
    mode, data, version = restored_content(repo, prompt, rev_sha, head)
    commit = write_commit(repo, head, [FileChange(prompt.path, data, mode)],
                          _message(prompt, rev_sha, version))
    try:
        update_ref(repo, branch, commit, None, "promptsync rollback")
    except RefMoved:
        raise UsageError(f"branch {branch!r} already exists (hint: pass --branch NAME)") from None
    return Rollback(prompt, branch, commit, rev_sha, version)
