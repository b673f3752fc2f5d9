"""Which commit `validate` checks versions against, and each prompt's version there.

With `--base REF`, REF. Without it, the published branch when there is one, so a forgotten
version bump shows up locally and in the pre-commit hook, not first in CI: the current branch's
upstream when that is the published branch (main tracking origin/main, or a branch made from
origin/main), else origin/<published>, else <published> (PROMPTSYNC_REF, default main). A pushed
feature branch's upstream is its own copy, not the published branch, so it is passed over. No
check when there is no git repository, no published branch, or the current branch is the
published branch itself at the same commit (there is nothing to compare).
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from promptsync.gitio import short
from promptsync.gitio.published import server_copy
from promptsync.gitio.repo import GitRepository
from promptsync.model import PROMPTS_DIR, PromptId
from promptsync.settings import resolve_ref
from promptsync.validate.version_check import BaseVersion
from promptsync.versionline import read_version

# Above this many brand folders, listing prompts/ whole is as quick as naming each.
MAX_FOLDERS = 64


@dataclass(frozen=True)
class VersionBase:
    """The versions at a base, and how to name that base to the user."""

    label: str  # "origin/main (1a2b3c4)"
    versions: dict[PromptId, BaseVersion]


def version_base(root: Path, explicit: str | None, published: str | None = None,
                 paths: Collection[str] | None = None) -> VersionBase | None:
    """The base `validate` uses: `explicit` (an error if it is no commit), else the published
    branch (see the module's doc), else None. `published` defaults to PROMPTSYNC_REF, else main.
    With `paths`, the versions of those prompts only (what a check of a few files reads)."""
    if explicit is None and not (root / ".git").exists():
        return None  # a plain folder: nothing to compare with
    with GitRepository(root) as repo, repo.refs_held():
        ref = explicit or choose_base(repo, published or resolve_ref(None))
        if ref is None:
            return None
        sha = repo.resolve(ref)
        return VersionBase(f"{ref} ({short(sha)})", base_versions(repo, sha, paths))


def choose_base(repo: GitRepository, published: str) -> str | None:
    """The ref that stands for the published branch here, or None to skip the check."""
    head = repo.find("HEAD")
    if head is None:
        return None  # nothing committed yet
    upstream = repo.upstream()
    if upstream is not None and (upstream == published or upstream.endswith(f"/{published}")):
        candidate: str | None = upstream
    else:
        candidate = server_copy(repo, published)
    if candidate is None:
        return None
    # The commits first: held from above, they spare a process on a branch with commits of
    # its own (a pre-commit run's usual case).
    on_it = repo.find(candidate) == head and repo.current_branch() == published
    return None if on_it else candidate


def base_versions(repo: GitRepository, ref: str,
                  paths: Collection[str] | None = None) -> dict[PromptId, BaseVersion]:
    """The versions to check the working tree against (of the prompts at `paths`, or all).

    For a prompt this branch changed since its merge base with `ref`: its version at `ref`
    (or nothing when `ref` has no such prompt: a new prompt). For a prompt the branch did not
    touch: its version and blob at the merge base, so it counts as unchanged. A branch that is
    behind `ref` is thus not blamed for edits made on `ref` since it forked.
    """
    sha = repo.resolve(ref)
    versions = _versions_at(repo, sha, paths)
    fork = repo.merge_base(sha, "HEAD")
    if fork is None or fork == sha:
        return versions
    changed = repo.paths_changed_since(fork, PROMPTS_DIR)
    for prompt_id, version in _versions_at(repo, fork, paths).items():
        if prompt_id.path not in changed:
            versions[prompt_id] = version
    return versions


def _versions_at(repo: GitRepository, sha: str,
                 paths: Collection[str] | None) -> dict[PromptId, BaseVersion]:
    # Read from the `version:` line, not the validator: a file that no longer validates still
    # has a version that counts. One `cat-file --batch` for all of them.
    folders = _folders(paths)
    if not folders:
        return {}
    sources = [s for s in repo.files(sha, folders)
               if PromptId.from_path(s.path) and not (s.is_symlink or s.is_gitlink)
               and (paths is None or s.path in paths)]
    contents = repo.read_blobs([s.blob for s in sources])
    versions: dict[PromptId, BaseVersion] = {}
    for source in sources:
        prompt_id = PromptId.from_path(source.path)
        version = read_version(contents.get(source.blob, b""))
        if prompt_id is not None and version is not None:
            versions[prompt_id] = BaseVersion(version, source.blob)
    return versions


def _folders(paths: Collection[str] | None) -> tuple[str, ...]:
    """What to list in a commit for the versions of `paths`: their brands' folders (a pre-commit
    run of one file reads one folder, not 10,000 files), or prompts/ when they span many."""
    if paths is None:
        return (PROMPTS_DIR,)
    folders = sorted({posixpath.dirname(p) for p in paths if PromptId.from_path(p)})
    return tuple(folders) if len(folders) <= MAX_FOLDERS else (PROMPTS_DIR,)
