"""A failed version check told as a person needs it: the current version, who changed it last,
when, in which commit, the current text, and what differs from the editor's text."""

from __future__ import annotations

import difflib

import yaml

from promptsync.edit.request import Conflict, ConflictReason, EditRequest, LastChange
from promptsync.gitio import short
from promptsync.gitio.log import last_commit_touching
from promptsync.gitio.repo import GitRepository
from promptsync.versionline import read_version


def last_change(repo: GitRepository, rev: str, path: str) -> LastChange | None:
    """The newest commit reachable from `rev` that changed `path` (its deletion included)."""
    found = last_commit_touching(repo, rev, path)
    if found is None:
        return None
    return LastChange(found.sha, found.author_name, found.author_email, found.date,
                      found.subject)


def template_of(data: bytes | None) -> str | None:
    """The file's template, or None when it has none (or does not parse)."""
    if data is None:
        return None
    try:
        doc = yaml.safe_load(data)
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    found = doc.get("template") if isinstance(doc, dict) else None
    return found if isinstance(found, str) else None


def explain(repo: GitRepository, request: EditRequest, reason: ConflictReason, *,
            rev: str, branch: str, current: bytes | None) -> Conflict:
    """The Conflict of `request` against `current`, the file as `branch` (at `rev`) has it."""
    version = read_version(current) if current is not None else None
    text = template_of(current)
    yours = request.fields.template if request.fields else None
    last = last_change(repo, rev, request.prompt.path)
    return Conflict(request.prompt, reason, _detail(request, reason, version, branch, last),
                    request.expected, version, text, last,
                    unified(yours, text, request.expected, version), branch)


def unified(yours: str | None, current: str | None, expected: int,
            version: int | None) -> str:
    """The editor's template against the current one, as `diff -u` shows it ("" when either
    side has none, or they are equal)."""
    if yours is None or current is None:
        return ""
    lines = difflib.unified_diff(_lines(yours), _lines(current),
                                 f"yours (edited from v{expected})", f"current (v{version})")
    return "".join(lines)


def _lines(text: str) -> list[str]:
    # A last line without its newline would glue itself to the next line of the diff.
    return [line if line.endswith("\n") else line + "\n" for line in text.splitlines(True)]


def _detail(request: EditRequest, reason: ConflictReason, version: int | None, branch: str,
            last: LastChange | None) -> str:
    who = (f" by {last.author_name} in {short(last.commit)} at {last.date.isoformat()}"
           if last else "")
    prompt = request.prompt
    if reason == "exists":
        return (f"{prompt} already exists on {branch} (version {version}, last changed{who}); "
                f"edit it with version {version}")
    if reason == "missing":
        return (f"{prompt} does not exist on {branch}" + (f" (deleted{who})" if last else "")
                + "; to create it, send version 0 or If-None-Match: *")
    if reason == "being-edited":
        return (f"{branch} already holds an edit of {prompt} version {request.expected}{who}; "
                "review or merge it, or close its pull request and delete the branch to edit "
                "this version anew")
    return (f"{prompt} is at version {version} on {branch}, not {request.expected}: it was "
            f"changed{who}. Take the current text, redo your change and save it with "
            f"version {version}")
