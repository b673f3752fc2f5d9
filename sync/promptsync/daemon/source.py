"""Where the daemon reads git from: a local repository as it is, or a bare mirror of a URL.

A local path is read in place (and watched for ref changes); a URL is cloned once into a private
mirror in the cache directory and fetched on every cycle (`promptsync.gitio.mirror`).

Inside `kept()` (the daemon's loop) one repository stays open from cycle to cycle, with its
`git cat-file` children: opening it and starting them again each cycle cost a one-prompt
commit more than the rest of its cycle. It belongs to the thread that kept it (a git child's
parent-death signal follows that thread); any other thread opens its own, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from promptsync.credentials import redact
from promptsync.errors import GitError
from promptsync.gitio.mirror import Mirror, is_url, mirror_path
from promptsync.gitio.repo import GitRepository


class GitSource:
    """A repository path or URL; `open()` gives a GitRepository to read one cycle from."""

    def __init__(self, location: str, cache_dir: Path | None = None) -> None:
        self.location = location
        local = Path(location).expanduser()
        self.remote = not local.exists() and is_url(location)
        self.mirror: Mirror | None = None
        if self.remote:
            self.path = mirror_path(location, cache_dir)
            self.mirror = Mirror(location, self.path)
        elif local.exists():
            self.path = local.resolve()
        else:
            raise GitError(f"{redact(location)} is neither a local repository nor a git URL "
                           "(hint: pass --repo DIR_OR_URL or set PROMPTSYNC_REPO)")
        self.fetches = 0
        self._keeper: int | None = None  # the thread inside kept()
        self._kept: GitRepository | None = None

    def open(self) -> GitRepository:
        return GitRepository(self.path)

    @contextmanager
    def kept(self) -> Iterator[None]:
        """While inside, `reading()` by this thread reuses one open repository."""
        self._keeper = threading.get_ident()
        try:
            yield
        finally:
            self._keeper = None
            self._drop()

    @contextmanager
    def reading(self) -> Iterator[GitRepository]:
        """A repository to read one attempt from: the kept one (its answers forgotten), else
        one opened for this attempt alone. A failure closes the kept one: the next attempt
        starts from a fresh one."""
        if self._keeper != threading.get_ident():
            with self.open() as repo:
                yield repo
            return
        if self._kept is None:
            self._kept = self.open()
        self._kept.forget()
        try:
            yield self._kept
        except BaseException:
            self._drop()
            raise

    def _drop(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None

    def common_dir(self) -> Path:
        """The directory holding refs/ and packed-refs (what the watcher watches)."""
        with self.open() as repo:
            return repo.common_dir

    def refresh(self) -> None:
        """Bring the mirror up to date (clone it the first time); nothing to do for a path."""
        if self.mirror is not None:
            self.fetches += 1
            if not self.mirror.exists():
                self._drop()  # a clone (again) replaces the folder a kept repository read
            self.mirror.refresh()
