"""SourceFiles from a working directory, with git's blob ids so results cache like a commit's."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from promptsync.errors import UsageError
from promptsync.model import SCHEMA_DIR, TRACKED_DIRS
from promptsync.validate.source import SourceFile


def blob_id(data: bytes) -> str:
    """The id git gives these bytes (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _source(root: Path, path: Path) -> SourceFile:
    rel = path.relative_to(root).as_posix()
    if path.is_symlink():
        target = os.readlink(path)
        data = target.encode()
        return SourceFile(rel, blob_id(data), lambda: data, True, target)
    try:
        # Opening a FIFO would block for ever; a device or socket is no prompt either.
        if not stat.S_ISREG(path.stat().st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = path.read_bytes()
    except OSError as exc:
        # Reported as file-unreadable by the Validator when it reads, not raised here.
        return SourceFile(rel, f"unreadable:{rel}", _raiser(exc))
    return SourceFile(rel, blob_id(data), lambda: data)


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
    return [_source(root, p) for p in sorted(files)]


def _expand(paths: list[Path]) -> Iterable[Path]:
    for p in paths:
        yield from (_walk(p) if p.is_dir() and not p.is_symlink() else [p])


def _walk(top: Path) -> Iterable[Path]:
    if not top.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        base = Path(dirpath)
        for name in sorted(filenames):
            if not name.startswith("."):
                yield base / name
        # Symlinked directories are not followed by os.walk; report them as files.
        for d in list(dirnames):
            if (base / d).is_symlink():
                dirnames.remove(d)
                yield base / d
