"""The `--base REF` rule: an edited prompt's version is the base's + 1; a new prompt's is 1.

Together with git this is the optimistic lock: two pull requests that edit one prompt both
write `version: N+1` on the same line, so the second to merge gets a conflict and must bump
again. A pure function of the current prompts and the base's versions (read from git by
`promptsync.validate.base_ref`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from promptsync.model import PromptId
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
