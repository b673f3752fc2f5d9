"""The `--base REF` rule: an edited prompt's version is the base's + 1; a new prompt's is 1.

Together with git this is the optimistic lock: two pull requests that edit one prompt both
write `version: N+1` on the same line, so the second to merge gets a conflict and must bump
again. A pure function of the current prompts and the base's versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from promptsync.errors import GitError
from promptsync.gitio.repo import GitRepository
from promptsync.model import PROMPTS_DIR, PromptId
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.versionline import read_version, version_line


@dataclass(frozen=True)
class BaseVersion:
    """A prompt's version at the base, and its blob id there, so an unchanged file (same blob)
    is told apart from an edited one that kept its version. Without a blob, a prompt whose
    version equals the base's is taken as unchanged."""

    version: int
    blob: str = ""


class VersionedFile(Protocol):
    """What the rule needs of a prompt: a valid PromptDoc, or a broken file's `version:` line."""

    @property
    def id(self) -> PromptId: ...
    @property
    def version(self) -> int: ...
    @property
    def version_line(self) -> int: ...
    @property
    def blob(self) -> str: ...


@dataclass(frozen=True)
class VersionLine:
    """The version of a file that has other findings: the rule still applies, so an editor
    hears about a missing bump in the same run as the typo, not in the next one."""

    id: PromptId
    version: int
    version_line: int
    blob: str

    @classmethod
    def of(cls, prompt_id: PromptId, data: bytes, blob: str) -> VersionLine | None:
        version = read_version(data)
        return None if version is None else cls(prompt_id, version, version_line(data), blob)


def check_versions(current: Mapping[PromptId, VersionedFile],
                   base: Mapping[PromptId, BaseVersion]) -> list[Finding]:
    """One finding, at the `version:` line, for each prompt whose version breaks the rule."""
    findings = []
    for prompt_id, doc in sorted(current.items()):
        before = base.get(prompt_id)
        finding = _new_prompt(doc) if before is None else _edited_prompt(doc, before)
        if finding is not None:
            findings.append(finding)
    return findings


def _new_prompt(doc: VersionedFile) -> Finding | None:
    if doc.version == 1:
        return None
    return error(doc.id.path, doc.version_line, 1, codes.VERSION_NEW_NOT_ONE,
                 f"{doc.id} is new (the base has no such prompt), so its version must be 1, "
                 f"not {doc.version}", "set version: 1")


def _edited_prompt(doc: VersionedFile, base: BaseVersion) -> Finding | None:
    before = base.version
    unchanged = doc.blob == base.blob if base.blob and doc.blob else doc.version == before
    if unchanged or doc.version == before + 1:
        return None
    if doc.version == before:
        message = (f"{doc.id} was changed but its version is still {before}; every change "
                   "raises the version by exactly 1")
    else:
        message = (f"{doc.id} has version {doc.version}, but the base has {before}, so this "
                   f"change must be version {before + 1}")
    return error(doc.id.path, doc.version_line, 1, codes.VERSION_NOT_BUMPED, message,
                 f"set version: {before + 1}; after a merge conflict on this line, take the "
                 "base's version and add 1")


def base_versions(repo: GitRepository, ref: str) -> dict[PromptId, BaseVersion]:
    """The versions to check the working tree against.

    For a prompt this branch changed since its merge base with `ref`: its version at `ref`
    (or nothing when `ref` has no such prompt: a new prompt). For a prompt the branch did not
    touch: its version and blob at the merge base, so it counts as unchanged. A branch that is
    behind `ref` is thus not blamed for edits made on `ref` since it forked.
    """
    sha = repo.resolve(ref)
    versions = _versions_at(repo, sha)
    fork = _fork_point(repo, sha)
    if fork is None or fork == sha:
        return versions
    changed = _changed_since(repo, fork)
    for prompt_id, version in _versions_at(repo, fork).items():
        if prompt_id.path not in changed:
            versions[prompt_id] = version
    return versions


def _versions_at(repo: GitRepository, sha: str) -> dict[PromptId, BaseVersion]:
    # Read from the `version:` line, not the validator: a file that no longer validates still
    # has a version that counts.
    versions: dict[PromptId, BaseVersion] = {}
    for source in repo.files(sha, (PROMPTS_DIR,)):
        prompt_id = PromptId.from_path(source.path)
        if prompt_id is None or source.is_symlink:
            continue
        version = read_version(source.read())
        if version is not None:
            versions[prompt_id] = BaseVersion(version, source.blob)
    return versions


def _fork_point(repo: GitRepository, sha: str) -> str | None:
    try:
        return repo.run("merge-base", sha, "HEAD").strip() or None
    except GitError:  # no HEAD yet, or unrelated histories: compare with REF alone
        return None


def _changed_since(repo: GitRepository, fork: str) -> set[str]:
    """Paths under prompts/ that differ between `fork` and the working tree (or HEAD if bare)."""
    try:
        out = repo.run("diff", "--name-only", "-z", "--no-renames", fork, "--", PROMPTS_DIR)
    except GitError:
        out = repo.run("diff-tree", "-r", "--name-only", "-z", "--no-renames", fork, "HEAD",
                       "--", PROMPTS_DIR)
    return {path for path in out.split("\0") if path}
