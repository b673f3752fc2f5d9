"""One edit built on a given head: check the version, build and validate the new file, write
the commit. No ref moves here: the writer (`service`) lands a chain of these on the target, and
a review branch is created here by compare-and-swap (its creation is the lock: a second editor
of the same version finds the branch there and gets a Conflict saying so).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from promptsync.credentials import redact
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
from promptsync.gitio.push import PushRejected, has_branch, push, remotes
from promptsync.gitio.repo import FileAt, GitRepository
from promptsync.history.log import read_history
from promptsync.model import PromptId
from promptsync.rollback import restored_content
from promptsync.trailers import ACTION, ADMIN_KEY, ROLLED_BACK_TO, forged_line, with_trailers
from promptsync.validate import Validator
from promptsync.versionline import read_version

log = logging.getLogger(__name__)
REMOTE = "origin"
_VERSION_REF = re.compile(r"v(\d+)")


def review_branch(prompt: PromptId, version: int) -> str:
    """`edit/<brand>/<type>[.<locale>]/v<N>`: one branch per prompt and version."""
    return f"{review_prefix(prompt)}/v{version}"


def review_prefix(prompt: PromptId) -> str:
    tail = f".{prompt.locale}" if prompt.locale else ""
    return f"edit/{prompt.brand}/{prompt.type.slug}{tail}"


def check_message(request: EditRequest) -> None:
    forged = forged_line(request.message)
    if forged is not None:
        # Only the server writes these: a key that may write must not make its edit read
        # as a rollback, or as another key's, in the audit and in prompt_versions.
        raise EditError(f"the message's line {forged[:80]!r} is one the server writes "
                        "itself; remove it from the message", "invalid")


@dataclass(frozen=True)
class Built:
    """A commit made on `written.parent`, not yet on any branch."""

    written: Written


class Change:
    """`request` against the commit `head` of `repo`."""

    def __init__(self, repo: GitRepository, request: EditRequest, validator: Validator,
                 remote: str | None = None, refetch: Callable[[], None] | None = None) -> None:
        self.repo, self.request, self.validator = repo, request, validator
        self.remote = remote  # where review branches go: a URL, or None for `origin` if any
        self.refetch = refetch  # brings the server's branches (a review branch pushed first)
        self.restores: str | None = None  # the commit a rollback brings back

    def build(self, head: str) -> Built | Conflict | Rejected:
        """The commit of this edit on `head`, or why there is none."""
        request = self.request
        current = self.repo.file_at(head, request.prompt.path)
        conflict = self._check(head, current)
        if conflict is not None:
            return conflict
        change, version = self._change(head, current)
        findings = check_change(self.repo, self.validator, head, request.prompt, change.data)
        errors = tuple(f for f in findings if f.is_error)
        if errors:
            return Rejected(request.prompt, errors, change.data)
        commit = write_commit(self.repo, head, [change], self._message(version),
                              author=request.editor.identity, committer=COMMITTER)
        warnings = tuple(f for f in findings if not f.is_error)
        return Built(Written(request.prompt, request.action, commit, head, version,
                             request.target, True, None, warnings, change.data))

    def to_review_branch(self, head: str) -> Outcome:
        """Build on `head` and create the edit's review branch (pushed when there is a remote)."""
        built = self.build(head)
        if not isinstance(built, Built):
            return built
        written = built.written
        branch = review_branch(self.request.prompt, self.request.expected + 1)
        try:
            update_ref(self.repo, branch, written.commit, None, "promptsync api")
        except RefMoved as moved:
            if moved.actual is None or not self._deleted_on_remote(branch, moved.actual):
                return self._being_edited(branch, moved.actual or head)
            try:  # its pull request was closed and the branch deleted there: not a lock now
                update_ref(self.repo, branch, written.commit, None, "promptsync api")
            except RefMoved as again:
                return self._being_edited(branch, again.actual or head)
        except GitError as exc:
            if "lock" not in str(exc):
                raise
            return self._being_edited(branch, ref_value(self.repo, branch_ref(branch)) or head)
        return self._push(replace(written, branch=branch, on_target=False))

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
            sha = self.repo.find(to)
            if sha is None:  # said without the server's folder: that is not the editor's
                raise EditError(f"{to!r} is not a commit of the prompt repository (hint: a sha, "
                                "a tag, a branch or v<N>; GET /v1/audit lists the commits)",
                                "not-found")
            return sha
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
        trailers = [(ADMIN_KEY, f"sha256:{request.editor.key_prefix}"),
                    (ACTION, request.action)]
        if request.action == "rollback":
            trailers.insert(0, (ROLLED_BACK_TO, str(self.restores)))
        return with_trailers(text, trailers)

    def _deleted_on_remote(self, branch: str, tip: str) -> bool:
        """Whether the review branch here is gone from the remote it was pushed to (its pull
        request closed, the branch deleted): then it is dropped here too, and blocks nobody."""
        remote = self.remote or (REMOTE if REMOTE in remotes(self.repo) else None)
        if remote is None or has_branch(self.repo, remote, branch) is not False:
            return False
        try:
            delete_ref(self.repo, branch, tip)
        except GitError:  # moved meanwhile: someone is using it
            return False
        log.info("review branch %s was deleted on %s: dropped here too", branch, _shown(remote))
        return True

    def _being_edited(self, branch: str, tip: str) -> Conflict:
        current = self.repo.file_at(tip, self.request.prompt.path)
        return explain(self.repo, self.request, "being-edited", rev=tip, branch=branch,
                       current=current[1] if current else None)

    def _push(self, written: Written) -> Outcome:
        remote = self.remote or (REMOTE if REMOTE in remotes(self.repo) else None)
        if remote is None:
            return written
        try:
            push(self.repo, remote, written.commit, written.branch)
        except PushRejected:  # another process pushed this version's branch first
            delete_ref(self.repo, written.branch, written.commit)
            if self.refetch is not None:
                self.refetch()
            tip = ref_value(self.repo, branch_ref(written.branch)) or written.parent
            return self._being_edited(written.branch, tip)
        except GitError as exc:
            # Without the push nobody can review it; a branch left here would make the
            # editor's retry a conflict with their own edit.
            delete_ref(self.repo, written.branch, written.commit)
            log.warning("could not push %s: %s", written.branch, exc)
            return PushFailed(written.prompt, written.branch, _shown(remote), str(exc))
        return replace(written, pushed_to=_shown(remote))


def _shown(remote: str) -> str:
    return redact(remote)
