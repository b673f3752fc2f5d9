"""Where the daemon reads git from: a local repository as it is, or a bare mirror of a URL.

A local path is read in place (and watched for ref changes); a URL is cloned once into a private
mirror in the cache directory and fetched on every cycle (`promptsync.gitio.mirror`).
"""

from __future__ import annotations

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

    def open(self) -> GitRepository:
        return GitRepository(self.path)

    def common_dir(self) -> Path:
        """The directory holding refs/ and packed-refs (what the watcher watches)."""
        with self.open() as repo:
            return repo.common_dir

    def refresh(self) -> None:
        """Bring the mirror up to date (clone it the first time); nothing to do for a path."""
        if self.mirror is not None:
            self.fetches += 1
            self.mirror.refresh()
