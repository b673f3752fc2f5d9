"""What a prompt repository is made of, read from a working directory or from a commit.

One path filter (`is_tracked`) decides which files count, for the working tree CI validates and
for the commit the daemon publishes alike, so the two can never disagree about a tree. Files
are read lazily and carry git's blob id (computed for a working tree), the validator's cache key.
The commit side lives in `promptsync.gitio`, which builds the same `Tree`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import posixpath
import stat
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from promptsync.errors import UsageError
from promptsync.known_blobs import KnownBlobs
from promptsync.model import PROMPTS_DIR, SCHEMA_DIR, TRACKED_DIRS, PromptId


@dataclass(frozen=True)
class SourceFile:
    """One file to check. `blob` is its git blob id (or a content hash), the cache key.

    A symbolic link and a gitlink (a submodule: another repository's commit, in a checkout a
    folder with its own .git) are carried too, so the validator can say what stands at a path
    where a prompt file is expected, instead of the file silently disappearing."""

    path: str
    blob: str
    read: Callable[[], bytes]
    is_symlink: bool = False
    symlink_target: str = ""
    is_gitlink: bool = False
    # A draft's bytes (a preview, an edit before it is written): checked, never cached, since
    # anyone who may preview can send a new one with every request.
    transient: bool = False

    @property
    def link_leaves_repository(self) -> bool:
        """Whether this symbolic link points outside the repository: read from the link's own
        folder, as the file system does (`greeting.yaml -> farewell.yaml` stays inside)."""
        if self.symlink_target.startswith("/"):
            return True
        where = posixpath.normpath(posixpath.join(posixpath.dirname(self.path),
                                                  self.symlink_target))
        return where == ".." or where.startswith("../")


def gitlink(path: str) -> SourceFile:
    """A submodule at `path`: no content in this repository (reads as empty)."""
    return SourceFile(path, f"gitlink:{path}", bytes, is_gitlink=True)


def is_tracked(path: str) -> bool:
    """Whether a repository path is ours to read: under prompts/ or schema/, and no part of it
    hidden (`prompts/acme/.gitkeep`, `prompts/.drafts/...` are left alone)."""
    parts = path.split("/")
    return len(parts) > 1 and parts[0] in TRACKED_DIRS and not any(
        p.startswith(".") for p in parts)


def is_prompt_candidate(path: str) -> bool:
    """A tracked file the validator checks as a prompt (a README beside the prompts is not)."""
    return path.startswith(f"{PROMPTS_DIR}/") and not path.endswith(".md") and is_tracked(path)


@dataclass(frozen=True)
class Tree:
    """A snapshot of prompts/ and schema/: a commit's tree or a working directory."""

    label: str
    files: tuple[SourceFile, ...]

    def subset(self, paths: Collection[str]) -> list[SourceFile]:
        """The files at `paths` and the rule files: all that checking those files needs."""
        return [f for f in self.files if f.path in paths or not is_prompt_candidate(f.path)]

    def prompt_files(self) -> dict[PromptId, SourceFile]:
        found = {}
        for f in self.files:
            prompt_id = PromptId.from_path(f.path)
            if prompt_id is not None:
                found[prompt_id] = f
        return found


def working_tree(root: Path, only: Sequence[str] | None = None) -> Tree:
    """The working directory; with `only`, just those of these files that exist and the rules,
    so previewing one prompt reads and hashes one prompt file rather than every file."""
    if only is None:
        return Tree("the working tree", tuple(from_directory(root)))
    present = [p for p in only if os.path.lexists(root / p)]
    # None there: no need for the rule files either, the caller reports the missing file.
    return Tree("the working tree", tuple(from_directory(root, present)) if present else ())


def blob_id(data: bytes) -> str:
    """The id git gives these bytes (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _source(top: str, rel: str, known: KnownBlobs | None = None) -> SourceFile:
    """The file at repository path `rel` under the resolved root `top`."""
    path = f"{top}/{rel}"
    try:
        # One lstat answers what stands there (a cached validate run reads 10,000 files).
        st = os.lstat(path)
    except OSError as exc:
        return SourceFile(rel, f"unreadable:{rel}", _raiser(exc))
    mode = st.st_mode
    if stat.S_ISDIR(mode) and os.path.lexists(f"{path}/.git"):
        return gitlink(rel)  # a checked-out submodule (see _is_nested_repository)
    if stat.S_ISLNK(mode):
        target = os.readlink(path)
        data = target.encode()
        return SourceFile(rel, blob_id(data), lambda: data, True, target)
    blob = known.get(rel, st) if known is not None and stat.S_ISREG(mode) else None
    if blob is not None:
        return SourceFile(rel, blob, _checked_reader(path, blob))
    try:
        # Opening a FIFO would block for ever; a device or socket is no prompt either.
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file")
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        # Reported as file-unreadable by the Validator when it reads, not raised here.
        return SourceFile(rel, f"unreadable:{rel}", _raiser(exc))
    blob = blob_id(data)
    if known is not None:
        known.put(rel, st, blob)
    return SourceFile(rel, blob, lambda: data)


def _checked_reader(path: str, blob: str) -> Callable[[], bytes]:
    """Reads a file whose blob id came from its lstat: bytes that are not that blob (written
    between the lstat and the read) are an error, never checked and cached under that id."""
    def read() -> bytes:
        with open(path, "rb") as f:
            data = f.read()
        if blob_id(data) != blob:
            raise OSError(errno.EAGAIN, "the file changed while it was checked; run again")
        return data

    return read


def _raiser(exc: OSError) -> Callable[[], bytes]:
    def read() -> bytes:
        raise exc

    return read


def from_directory(root: Path, paths: Iterable[str] = ()) -> list[SourceFile]:
    """Every file under prompts/ and schema/ (or only `paths` plus the rule files)."""
    root = root.resolve()
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    wanted = [Path(os.path.abspath(root / p)) for p in paths]
    for p in wanted:
        if not p.exists() and not p.is_symlink():
            raise UsageError(f"{p} does not exist")
        if not p.is_relative_to(root):
            raise UsageError(f"{p} is outside the repository {root}")
    if wanted:
        files = list(_expand(wanted))
        files += [p for p in _walk(root / SCHEMA_DIR) if p not in files]
    else:
        files = [p for d in TRACKED_DIRS for p in _walk(root / d)]
    top = str(root)
    return [_source(top, rel) for p in sorted(files)
            if is_tracked(rel := p.relative_to(root).as_posix())]


def listed(root: Path) -> list[str]:
    """The tracked paths of the working directory, read from the folders alone: a check that
    needs a few files reads only those (see `read_file`)."""
    root = root.resolve()
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    top = str(root)
    paths = (p for d in TRACKED_DIRS for p in _walk_names(f"{top}/{d}", d))
    return sorted(p for p in paths if is_tracked(p))


def read_file(root: Path, path: str) -> SourceFile:
    """The working directory's file at repository path `path` (as `from_directory` reads it)."""
    return file_reader(root)(path)


def file_reader(root: Path, known: KnownBlobs | None = None) -> Callable[[str], SourceFile]:
    """`read_file` for the paths of one root, resolved once (not once a file); with `known`,
    a file whose lstat it remembers is not read until its bytes are asked for."""
    top = str(root.resolve())
    return lambda path: _source(top, path, known)


def _is_nested_repository(path: Path) -> bool:
    """A checked-out submodule (or any repository inside ours): its files are not ours."""
    return not path.is_symlink() and path.is_dir() and os.path.lexists(path / ".git")


def _expand(paths: list[Path]) -> Iterable[Path]:
    for p in paths:
        walk = p.is_dir() and not p.is_symlink() and not _is_nested_repository(p)
        yield from (_walk(p) if walk else [p])


def _walk_names(top: str, rel: str) -> Iterator[str]:
    """The files below `top` as paths under `rel` (the name `top` goes by): hidden names
    skipped, and a symbolic link to a folder or another repository (a submodule) reported as
    a file, not entered. Strings, not Path objects: listing 10,000 files is a cached validate
    run's first step."""
    try:
        entries = list(os.scandir(top))
    except OSError:
        return  # not there, or not a folder: nothing in it, as os.walk says
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = f"{rel}/{entry.name}"
        if entry.is_dir(follow_symlinks=False) and not os.path.lexists(f"{entry.path}/.git"):
            yield from _walk_names(entry.path, path)
        else:
            yield path  # a file, or what stands for one: a link, another repository


def _walk(top: Path) -> Iterable[Path]:
    """Every file below `top`, as `_walk_names` finds them (one rule for what a file is)."""
    return (top.parent / rel for rel in _walk_names(str(top), top.name))
