"""The validation gate: nothing reaches the database that the CI validator would reject.

The whole commit is validated. When the commit only modifies prompt files of the commit that
passed the gate last (no file added, deleted or renamed, nothing under schema/), only those files
are checked again: per-file checks are a pure function of the file's bytes and the rules in
schema/, and the cross-file checks (duplicate ids, brand default complete) of the set of paths
alone, so every other result is the one that already passed. That keeps the cost of a
one-prompt commit independent of the size of the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from promptsync.daemon.checkpoint import VALIDATING, checkpoint
from promptsync.gitio.repo import GitRepository
from promptsync.model import PROMPTS_DIR, SCHEMA_DIR, PromptDoc, PromptId
from promptsync.validate import Report, SourceFile, Validator
from promptsync.validate.codes import DEFAULT_MISSING_TYPE
from promptsync.validate.finding import Finding
from promptsync.validate.rules import CHECKS_VERSION
from promptsync.validate.version_check import BaseVersion
from promptsync.version import package_version

EMPTY_REASON = "the commit would delete every prompt (pass --allow-empty to publish that)"


def verdict_key(allow_empty: bool, checks: str = CHECKS_VERSION,
                version: str | None = None) -> str:
    """What a verdict depends on besides the commit, as Flux keys a failed reconcile by revision
    and spec: the checks, the package that runs them, and the options that change the verdict.
    A rejection is final only under the same key; an upgrade or `--allow-empty` looks again."""
    empty = "yes" if allow_empty else "no"
    return f"checks={checks} promptsync={version or package_version()} allow-empty={empty}"


class ValidatorLike(Protocol):
    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, BaseVersion] | None = None, *,
                 whole_tree: bool = True) -> Report: ...


@dataclass
class Verdict:
    """Errors as text lines (empty: accepted) and the prompts that passed, by id; `findings`
    are the errors that point at a place in a file (what a notification lists)."""

    errors: list[str] = field(default_factory=list)
    prompts: dict[PromptId, PromptDoc] = field(default_factory=dict)
    incremental: bool = False
    findings: list[Finding] = field(default_factory=list)


class Gate:
    """Validates commits; remembers the last commit that passed, for incremental checks."""

    def __init__(self, validator: ValidatorLike | None = None, allow_empty: bool = False) -> None:
        self.validator: ValidatorLike = validator or Validator()  # one per process: blob cache
        self.allow_empty = allow_empty
        self.verdict = verdict_key(allow_empty)
        self.passed: str | None = None

    def check(self, repo: GitRepository, base: str | None, target: str,
              has_live_prompts: Callable[[], bool]) -> Verdict:
        """Validate `target`; `base` is the published commit (the diff's other side)."""
        changed = self._modified_prompts(repo, base, target)
        checkpoint(VALIDATING)
        if changed is not None:
            files = repo.files(target, dirs=(SCHEMA_DIR, *changed))
            report = self.validator.validate(files, whole_tree=False)
            verdict = Verdict([f.as_text() for f in report.errors], report.prompts, True,
                              list(report.errors))
        else:
            verdict = self._whole(repo.files(target), has_live_prompts)
        if not verdict.errors:
            self.passed = target
        return verdict

    def _whole(self, files: list[SourceFile], has_live_prompts: Callable[[], bool]) -> Verdict:
        empty = not any(PromptId.from_path(f.path) for f in files)
        if empty and not self.allow_empty and has_live_prompts():
            return Verdict([EMPTY_REASON])
        report = self.validator.validate(files)
        # An operator who allowed an empty tree has accepted that brand default is gone too.
        errors = [f for f in report.errors if not (empty and f.code == DEFAULT_MISSING_TYPE)]
        return Verdict([f.as_text() for f in errors], report.prompts, findings=errors)

    def _modified_prompts(self, repo: GitRepository, base: str | None,
                          target: str) -> list[str] | None:
        """The prompt files `target` modifies relative to `base`, when that is all it does."""
        if base is None or base != self.passed or not repo.has_commit(base):
            return None
        changes = repo.changed_paths(base, target)
        if any(status != "M" or not path.startswith(f"{PROMPTS_DIR}/")
                              for status, path in changes):
            return None
        return [path for _status, path in changes]
