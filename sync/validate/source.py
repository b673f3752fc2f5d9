"""Where the bytes of a file come from: a working tree or a git tree, read lazily."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceFile:
    """One file to check. `blob` is its git blob id (or a content hash), the cache key."""

    path: str
    blob: str
    read: Callable[[], bytes]
    is_symlink: bool = False
    symlink_target: str = ""
