"""The validation gate: nothing reaches the database that the CI validator would reject.

The verdict is the core's (`Workspace.check`): on the first commit, after a restart, or when the
commit does not follow the one that passed last, the whole tree; otherwise the files the change
can affect (the changed files, their translations, a brand file's translations, ...: the core's
related-files rule), which gives the same findings on them as the whole tree would. The gate
keeps the paths of the commit that passed last, so a one-prompt commit costs that prompt and
what relates to it, not the size of the repository.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from promptsync.brands import BrandInfo
from promptsync.core.related import FileIndex
from promptsync.core.workspace import Checker, Workspace
from promptsync.daemon.checkpoint import VALIDATING, checkpoint
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptDoc, PromptId
from promptsync.tree import is_tracked
from promptsync.validate import Report, SourceFile, Validator
from promptsync.validate.codes import DEFAULT_MISSING_TYPE
from promptsync.validate.finding import Finding
from promptsync.validate.rules import CHECKS_VERSION
from promptsync.version import package_version

EMPTY_REASON = "the commit would delete every prompt (pass --allow-empty to publish that)"
# Past this many files to read, one listing of the whole tree is cheaper than naming each path
# (and a command line holding thousands of paths could exceed the system's limit).
MAX_NAMED_PATHS = 400
# The results the daemon's validator keeps. A one-prompt cycle reads tens of files (the change,
# its namesakes, bases and brand files, default's base texts, schema/), used again cycle after
# cycle; the rest of the tree's results are checked again from their blobs when a commit needs
# them. Holding every result held ~4 KB a file (50,000 of them at 100,000 prompts), and an LRU
# smaller than the tree never served a whole-tree check anyway: it reads the files in one order.
CYCLE_RESULTS = 4_096


def verdict_key(allow_empty: bool, checks: str = CHECKS_VERSION,
                version: str | None = None) -> str:
    """What a verdict depends on besides the commit, as Flux keys a failed reconcile by revision
    and spec: the checks, the package that runs them, and the options that change the verdict.
    A rejection is final only under the same key; an upgrade or `--allow-empty` looks again."""
    empty = "yes" if allow_empty else "no"
    return f"checks={checks} promptsync={version or package_version()} allow-empty={empty}"


@dataclass
class Verdict:
    """Errors as text lines (empty: accepted) and the prompts that passed, by id; `findings`
    are the errors that point at a place in a file (what a notification lists)."""

    errors: list[str] = field(default_factory=list)
    prompts: dict[PromptId, PromptDoc] = field(default_factory=dict)
    incremental: bool = False
    findings: list[Finding] = field(default_factory=list)
    # After a check of the whole tree: every brand file of the commit, parsed, by brand (the
    # planner's languages; it listed and parsed them again, 1.3 s of a load of 100,000).
    brands: dict[str, BrandInfo] | None = None


class Gate:
    """Validates commits; remembers the last commit that passed (and its paths), for
    incremental checks."""

    def __init__(self, validator: Checker | None = None, allow_empty: bool = False) -> None:
        self.validator: Checker = validator or Validator(cache_size=CYCLE_RESULTS)
        self.allow_empty = allow_empty
        self.verdict = verdict_key(allow_empty)
        self.passed: str | None = None
        self._index: tuple[str, FileIndex] | None = None  # (commit, its paths)

    def stop(self) -> None:
        """End a validation in progress (the daemon is stopping); it raises ValidationStopped."""
        if isinstance(self.validator, Validator):  # a test's wrapper has no pool to end
            self.validator.stop()

    def check(self, repo: GitRepository, base: str | None, target: str,
              has_live_prompts: Callable[[], bool]) -> Verdict:
        """Validate `target`; `base` is the published commit (the diff's other side)."""
        changed = self._changed_since_passed(repo, base, target)
        checkpoint(VALIDATING)
        if changed is None:
            # The validator holds the results of few files (CYCLE_RESULTS) and reads the rest:
            # read them at once (one `cat-file --batch`, not one request per file).
            files = {f.path: f for f in repo.files(target, read=True)}
            index = FileIndex.of(files)  # once: the workspace and the next commit share it
            verdict = self._verdict(Workspace(target, index, files.__getitem__, self.validator),
                                    None, has_live_prompts)
        else:
            assert self._index is not None  # _changed_since_passed checked it
            index = self._index[1]
            undo = _apply(index, changed)
            scope = index.affected(changed)
            wanted = None if scope is None else index.context(scope)
            listed = repo.files(target) if wanted is None or len(wanted) > MAX_NAMED_PATHS \
                else repo.files(target, dirs=tuple(sorted(wanted)))
            held = {f.path: f for f in listed}
            workspace = Workspace(target, index, held.__getitem__, self.validator)
            verdict = self._verdict(workspace, changed, has_live_prompts)
            verdict.incremental = scope is not None
            if verdict.errors:
                _apply(index, undo)  # the index stays the one of the commit that passed
        if not verdict.errors:
            self.passed = target
            self._index = (target, index)
        return verdict

    def _verdict(self, workspace: Workspace, changed: dict[str, bool] | None,
                 has_live_prompts: Callable[[], bool]) -> Verdict:
        empty = not any(PromptId.from_path(p) for p in workspace.index.paths)
        if empty and not self.allow_empty and has_live_prompts():
            return Verdict([EMPTY_REASON])
        report: Report = workspace.check(None if changed is None else list(changed))
        # An operator who allowed an empty tree has accepted that brand default is gone too.
        errors = [f for f in report.errors if not (empty and f.code == DEFAULT_MISSING_TYPE)]
        return Verdict([f.as_text() for f in errors], dict(report.prompts), findings=errors,
                       brands=report.brands if changed is None else None)

    def _changed_since_passed(self, repo: GitRepository, base: str | None,
                              target: str) -> dict[str, bool] | None:
        """{path: present in `target`} for each tracked file `target` changes relative to the
        commit that passed last, when `base` is that commit; else None (check the whole tree)."""
        if base is None or base != self.passed or self._index is None \
                or self._index[0] != base or not repo.has_commit(base):
            return None
        return {path: status != "D" for status, path in repo.changed_paths(base, target)
                if is_tracked(path)}


def _apply(index: FileIndex, changed: dict[str, bool]) -> dict[str, bool]:
    """Bring `index` to the new commit's paths; what brings it back."""
    undo = {path: path in index for path in changed}
    for path, present in changed.items():
        (index.add if present else index.remove)(path)
    return undo


__all__ = ["EMPTY_REASON", "Gate", "SourceFile", "Verdict", "package_version", "verdict_key"]
