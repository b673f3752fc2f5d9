"""A rollback is a pull request like any other: one new commit on a new branch that restores a
prompt's content at an earlier revision with its version bumped.

The commit is built with git's plumbing in a private index (`GIT_INDEX_FILE`), so the editor's
checked-out branch, index and working tree are never touched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from promptsync.errors import GitError, UsageError
from promptsync.gitio.plumbing import git, short
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


def _resolve(repo: Path, rev: str) -> str:
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise UsageError(f"{rev!r} is not a commit in {repo} "
                         "(hint: a sha, a tag or a branch; see `promptsync history`)") from None


def _file_at(repo: Path, sha: str, path: str) -> tuple[str, bytes] | None:
    """(mode, bytes) of `path` at commit `sha`, or None when it has no such file."""
    listing = git(repo, "ls-tree", "-z", sha, "--", path).decode().rstrip("\0")
    if not listing:
        return None
    mode = listing.split(" ", 1)[0]
    return mode, git(repo, "cat-file", "blob", f"{sha}:{path}")


def _message(prompt: PromptId, rev_sha: str, version: int) -> str:
    return (f"Roll back {prompt} to {short(rev_sha)}\n\n"
            f"Restores {prompt.path} as it was at {short(rev_sha)}, as version {version}.\n"
            "Made by `promptsync rollback`; review it like any other change.\n\n"
            f"{TRAILER}: {rev_sha}\n")


def restored_content(repo: Path, prompt: PromptId, rev_sha: str,
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


def make_rollback(repo: Path, prompt: PromptId, rev: str, branch: str | None = None) -> Rollback:
    """Create `branch` (default rollback/<brand>-<type>-<rev>) from HEAD with the one commit."""
    head, rev_sha = _resolve(repo, "HEAD"), _resolve(repo, rev)
    branch = branch or default_branch(prompt, rev_sha)
    if git(repo, "check-ref-format", "--branch", branch, ok_codes=(0, 1, 128)).strip() != \
            branch.encode():
        raise UsageError(f"{branch!r} is not a valid branch name")
    mode, data, version = restored_content(repo, prompt, rev_sha, head)
    blob = git(repo, "hash-object", "-w", "--stdin", input=data).decode().strip()
    with tempfile.TemporaryDirectory(prefix="promptsync-rollback-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git(repo, "read-tree", head, env=env)
        git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{prompt.path}", env=env)
        tree = git(repo, "write-tree", env=env).decode().strip()
    commit = git(repo, "commit-tree", tree, "-p", head,
                 input=_message(prompt, rev_sha, version).encode()).decode().strip()
    # The empty old value makes update-ref refuse to move a branch that already exists.
    try:
        git(repo, "update-ref", "-m", "promptsync rollback", f"refs/heads/{branch}", commit, "")
    except GitError:
        raise UsageError(f"branch {branch!r} already exists (hint: pass --branch NAME)") from None
    return Rollback(prompt, branch, commit, rev_sha, version)
