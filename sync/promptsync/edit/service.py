"""One edit from start to finish, on one thread: read the target branch, check the version,
build and validate the new file, write the commit, move a ref by compare-and-swap.

Writing to the target branch itself, a moved ref (`RefMoved`) means someone else wrote in
between: the edit reads again and checks again, so a stale version becomes a Conflict and a
change of another prompt only a retry; two writers with the same version never both succeed.
Writing to a review branch, the branch's creation is the lock: a second editor of the same
version finds the branch there and gets a Conflict saying so.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

from promptsync.edit import document
from promptsync.edit.conflict import explain
from promptsync.edit.request import (
    COMMITTER,
    Conflict,
    ConflictReason,
    EditError,
    EditRequest,
    Outcome,
    PushFailed,
    Rejected,
    Written,
)
from promptsync.edit.validation import check_change
from promptsync.errors import GitError
from promptsync.gitio.commits import (
    FileChange,
    RefMoved,
    branch_ref,
    delete_ref,
    ref_value,
    update_ref,
    write_commit,
)
from promptsync.gitio.push import push, remotes
from promptsync.gitio.repo import FileAt, GitRepository
from promptsync.history.log import read_history
from promptsync.model import PromptId
from promptsync.rollback import TRAILER, resolve, restored_content
from promptsync.validate import Finding, Validator
from promptsync.versionline import read_version

log = logging.getLogger(__name__)
ATTEMPTS = 50  # reads of a target that keeps moving under other prompts' edits
REMOTE = "origin"
_VERSION_REF = re.compile(r"v(\d+)")


def review_branch(prompt: PromptId, version: int) -> str:
    """`edit/<brand>/<type>[.<locale>]/v<N>`: one branch per prompt and version."""
    tail = f".{prompt.locale}" if prompt.locale else ""
    return f"edit/{prompt.brand}/{prompt.type.slug}{tail}/v{version}"


class EditService:
    """Carries out edits on the repository at `path`; keeps one Validator (its cache) for the
    life of the process. Each `apply` opens and closes its own GitRepository, on the calling
    thread: call it from one worker thread per edit."""

    def __init__(self, path: Path, validator: Validator | None = None) -> None:
        self.path = path
        self.validator = validator or Validator(workers=1)

    def apply(self, request: EditRequest) -> Outcome:
        with GitRepository(self.path) as repo:
            return _Edit(repo, request, self.validator).run()


class _Edit:
    def __init__(self, repo: GitRepository, request: EditRequest, validator: Validator) -> None:
        self.repo, self.request, self.validator = repo, request, validator
        self.target = branch_ref(request.target)
        self.restores: str | None = None  # the commit a rollback brings back

    def run(self) -> Outcome:
        for _attempt in range(ATTEMPTS):
            head = ref_value(self.repo, self.target)
            if head is None:
                raise EditError(f"branch {self.request.target!r} does not exist in "
                                f"{self.repo.path}", "not-found")
            outcome = self._attempt(head)
            if outcome is not None:
                return outcome
        raise GitError(f"{self.request.target} kept moving: {ATTEMPTS} attempts to write "
                       f"{self.request.prompt} failed (hint: try again)")

    def _attempt(self, head: str) -> Outcome | None:
        """The outcome, or None when the target moved and the edit must read again."""
        request = self.request
        current = self.repo.file_at(head, request.prompt.path)
        conflict = self._check(head, current)
        if conflict is not None:
            return conflict
        change, version = self._change(head, current)
        findings = check_change(self.repo, self.validator, head, request.prompt, change.data,
                                current)
        errors = tuple(f for f in findings if f.is_error)
        if errors:
            return Rejected(request.prompt, errors)
        commit = write_commit(self.repo, head, [change], self._message(version),
                              author=request.editor.identity, committer=COMMITTER)
        warnings = tuple(f for f in findings if not f.is_error)
        if request.write_to == "main":
            return self._to_target(head, commit, version, warnings)
        return self._to_review_branch(head, commit, version, warnings)

    def _check(self, head: str, current: FileAt | None) -> Conflict | None:
        request = self.request
        if request.action == "create":
            if current is None:
                return None
            return self._conflict("exists", head, current)
        if current is None:
            return self._conflict("missing", head, None)
        if read_version(current[1]) != request.expected:
            return self._conflict("version-moved", head, current)
        return None

    def _conflict(self, reason: ConflictReason, head: str,
                  current: FileAt | None) -> Conflict:
        return explain(self.repo, self.request, reason, rev=head, branch=self.request.target,
                       current=current[1] if current else None)

    def _change(self, head: str,
                current: FileAt | None) -> tuple[FileChange, int | None]:
        request, path = self.request, self.request.prompt.path
        if request.action == "delete":
            return FileChange(path, None), None
        if request.action == "rollback":
            return self._rollback(head)
        if request.fields is None:
            raise EditError("an edit needs the new template")
        version = request.expected + 1
        mode = current[0] if current else "100644"
        data = document.build(request.prompt, current[1] if current else None, request.fields,
                              version)
        return FileChange(path, data, mode), version

    def _rollback(self, head: str) -> tuple[FileChange, int]:
        rev = self.restores = self._rollback_commit(head)
        try:
            mode, data, version = restored_content(self.repo, self.request.prompt, rev, head)
        except Exception as exc:  # UsageError: not there at rev, or already that content
            raise EditError(str(exc)) from None
        return FileChange(self.request.prompt.path, data, mode), version

    def _rollback_commit(self, head: str) -> str:
        """The commit that `to` names: a revision, or `v<N>` (the commit that made version N
        of this prompt on the target branch)."""
        to = self.request.rollback_to or ""
        wanted = _VERSION_REF.fullmatch(to)
        if wanted is None:
            try:
                return resolve(self.repo, to)
            except Exception as exc:
                raise EditError(str(exc), "not-found") from None
        for change in read_history(self.repo, head):
            if change.prompt == self.request.prompt and change.version_after == int(wanted[1]):
                return change.commit
        raise EditError(f"{self.request.prompt} never had version {wanted[1]} on "
                        f"{self.request.target}", "not-found")

    def _message(self, version: int | None) -> str:
        request = self.request
        text = request.message.strip()
        if not text:
            after = f" as v{version}" if version is not None else ""
            text = f"{request.action.capitalize()} {request.prompt}{after}"
        trailers = [f"Admin-Key: sha256:{request.editor.key_prefix}",
                    f"Action: {request.action}"]
        if request.action == "rollback":
            trailers.insert(0, f"{TRAILER}: {self.restores}")
        return f"{text}\n\n" + "".join(f"{t}\n" for t in trailers)

    def _to_target(self, head: str, commit: str, version: int | None,
                   warnings: tuple[Finding, ...]) -> Written | None:
        try:
            update_ref(self.repo, self.target, commit, head, "promptsync api")
        except RefMoved:
            return None
        except GitError as exc:
            if "lock" not in str(exc):
                raise
            return None  # another writer held the ref's lock past git's own wait: read again
        return Written(self.request.prompt, self.request.action, commit, head, version,
                       self.request.target, True, None, warnings)

    def _to_review_branch(self, head: str, commit: str, version: int | None,
                          warnings: tuple[Finding, ...]) -> Outcome:
        branch = review_branch(self.request.prompt, self.request.expected + 1)
        try:
            update_ref(self.repo, branch, commit, None, "promptsync api")
        except RefMoved as moved:
            return self._being_edited(branch, moved.actual or head)
        except GitError as exc:
            if "lock" not in str(exc):
                raise
            return self._being_edited(branch, ref_value(self.repo, branch_ref(branch)) or head)
        written = Written(self.request.prompt, self.request.action, commit, head, version,
                          branch, False, None, warnings)
        return self._push(written)

    def _being_edited(self, branch: str, tip: str) -> Conflict:
        current = self.repo.file_at(tip, self.request.prompt.path)
        return explain(self.repo, self.request, "being-edited", rev=tip, branch=branch,
                       current=current[1] if current else None)

    def _push(self, written: Written) -> Outcome:
        if REMOTE not in remotes(self.repo):
            return written
        try:
            push(self.repo, REMOTE, written.commit, written.branch)
        except GitError as exc:
            # Without the push nobody can review it; a branch left here would make the
            # editor's retry a conflict with their own edit.
            delete_ref(self.repo, written.branch, written.commit)
            log.warning("could not push %s to %s: %s", written.branch, REMOTE, exc)
            return PushFailed(written.prompt, written.branch, REMOTE, str(exc))
        return replace(written, pushed_to=REMOTE)

