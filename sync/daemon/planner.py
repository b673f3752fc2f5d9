"""Turn (published commit, new commit, validation report) into the change set to apply.

With the published commit still in the object database, only the prompt files `git diff-tree`
names are looked at, so the cost follows the change and not the size of the repository. When it
is gone (a force-push on a mirror that never saw it, or the first load) the new tree is compared
with the live rows instead.
"""

from __future__ import annotations

from collections.abc import Callable

from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptDoc, PromptId
from promptsync.store.changeset import ChangeSet, CommitMeta
from promptsync.store.state import LivePrompt, PublishedState

REVERT_MARK = "This reverts commit"
LiveRows = Callable[[], dict[PromptId, LivePrompt]]


def commit_meta(repo: GitRepository, sha: str) -> tuple[CommitMeta, str]:
    """The commit's metadata and its message."""
    info = repo.commit_info(sha)
    author = f"{info.author_name} <{info.author_email}>" if info.author_email else info.author_name
    return CommitMeta(sha, author, info.committed_at), info.message


def plan(repo: GitRepository, state: PublishedState, target: str,
         prompts: dict[PromptId, PromptDoc], live_rows: LiveRows) -> ChangeSet:
    """The change set that moves the database from `state` to `target`."""
    meta, message = commit_meta(repo, target)
    old = state.commit
    if old is not None and repo.has_commit(old):
        upserts, deletes = _from_diff(repo, old, target, prompts)
    else:
        upserts, deletes = _from_rows(prompts, live_rows())
    # A ref moved back to an ancestor never gets here (syncer: a rollback is a new commit).
    return ChangeSet(from_commit=old, from_generation=state.generation, commit=meta,
                     upserts=tuple(upserts), deletes=tuple(deletes),
                     rollback=REVERT_MARK in message)


def _from_diff(repo: GitRepository, old: str, new: str,
               prompts: dict[PromptId, PromptDoc]) -> tuple[list[PromptDoc], list[PromptId]]:
    upserts: dict[PromptId, PromptDoc] = {}
    deletes: set[PromptId] = set()
    for _status, path in repo.changed_paths(old, new):
        pid = PromptId.from_path(path)  # None for schema/ and anything not a prompt
        if pid is None:
            continue
        if pid in prompts:
            upserts[pid] = prompts[pid]
        else:
            deletes.add(pid)
    return [upserts[i] for i in sorted(upserts)], sorted(deletes - upserts.keys())


def _from_rows(prompts: dict[PromptId, PromptDoc],
               live: dict[PromptId, LivePrompt]) -> tuple[list[PromptDoc], list[PromptId]]:
    upserts = [doc for pid, doc in sorted(prompts.items())
               if pid not in live or _differs(doc, live[pid])]
    return upserts, sorted(set(live) - set(prompts))


def _differs(doc: PromptDoc, row: LivePrompt) -> bool:
    return (doc.version, doc.template, doc.description, doc.variables_json()) != (
        row.version, row.template, row.description, row.variables)
