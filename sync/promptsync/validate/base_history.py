"""A stale translation's base text, then and now: the version it was translated from, found in
git history, beside the version in the tree being checked.

One `git log --raw` of the base file names the blob of every version it had; one `cat-file
--batch` reads them. The walk goes back from HEAD to the newest commit whose file carried the
version the translation names. A folder without git, or a shallow clone whose history stops
before that version, says so instead of showing a diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from promptsync.errors import GitError
from promptsync.gitio.log import read_log
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptDoc
from promptsync.versionline import read_version

# A diff longer than this is cut: the warning should point at the change, not replace the file.
MAX_DIFF_LINES = 40
MAX_WORD_CHANGES = 5


class GitBaseHistory:
    """The earlier versions of base files, read from the repository at `root` (HEAD's history);
    open for one validation run (`with GitBaseHistory(root) as history:`)."""

    def __init__(self, root: Path, rev: str = "HEAD") -> None:
        self.root = root
        self.rev = rev
        self._repo: GitRepository | None = None

    def __enter__(self) -> GitBaseHistory:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._repo is not None:
            self._repo.close()

    def change(self, base: PromptDoc, since: int) -> str:
        if not (self.root / ".git").exists():
            return (f"no git history here to show what changed since version {since} "
                    "(compare with the base file's earlier version by hand)")
        try:
            old = self.template_at(base.id.path, since)
        except GitError as exc:
            return f"the git history could not be read to show the change ({exc})"
        if old is None:
            return self._missing(base, since)
        if old == base.template:
            return f"its text is the same as in version {since} (only other keys changed)"
        return (f"what changed in its text since version {since}:\n"
                + diff_lines(old, base.template, since, base.version))

    def _repository(self) -> GitRepository:
        if self._repo is None:
            self._repo = GitRepository(self.root)
        return self._repo

    def template_at(self, path: str, version: int) -> str | None:
        """The template of the newest commit in the history whose file at `path` carried
        `version`, or None when the history holds no such version."""
        repo = self._repository()
        try:
            log = read_log(repo, self.rev, [path])
        except GitError:
            if repo.find(self.rev) is None:
                return None  # nothing committed yet (asked only then: a process less a run)
            raise
        blobs = [e.new_blob for c in log for e in c.changes]
        contents = repo.read_blobs(blobs)
        for blob in blobs:  # newest first
            data = contents.get(blob)
            if data is not None and read_version(data) == version:
                return _template(data)
        return None

    def _missing(self, base: PromptDoc, since: int) -> str:
        if self._repository().is_shallow():
            return (f"version {since} of {base.id.path} is not in this shallow clone's history, "
                    "so the change cannot be shown (fetch the whole history: "
                    "git fetch --unshallow)")
        return (f"version {since} of {base.id.path} is not in the git history of {self.rev}, "
                "so the change cannot be shown")


def _template(data: bytes) -> str | None:
    try:
        value: Any = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    template = value.get("template") if isinstance(value, dict) else None
    return template if isinstance(template, str) else None


def diff_lines(old: str, new: str, old_version: int, new_version: int) -> str:
    """The template's change as indented unified-diff lines (`-` then, `+` now), and the words
    that changed: in a long line, what a translator has to find."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(),
                                      f"version {old_version}", f"version {new_version}",
                                      lineterm="", n=1))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    words = changed_words(old, new)
    if words:
        lines.append(f"changed words: {words}")
    return "\n".join(f"    {line}" for line in lines)


def changed_words(old: str, new: str) -> str:
    """`-"dry" +"warm and dry"` for each run of words that changed, at most MAX_WORD_CHANGES;
    "" when there are more (the diff says it better)."""
    before, after = old.split(), new.split()
    runs = [(before[i1:i2], after[j1:j2]) for op, i1, i2, j1, j2 in
            difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
            if op != "equal"]
    if not runs or len(runs) > MAX_WORD_CHANGES:
        return ""
    return ", ".join(" ".join(filter(None, (f'-"{" ".join(gone)}"' if gone else "",
                                            f'+"{" ".join(came)}"' if came else "")))
                     for gone, came in runs)
