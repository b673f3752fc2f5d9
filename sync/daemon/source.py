"""Where the daemon reads git from: a local repository as it is, or a bare mirror of a URL.

A local path is read in place (and watched for ref changes); a URL is cloned once with
`git clone --mirror` into the cache directory and fetched on every cycle.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
from pathlib import Path

from promptsync.errors import GitError, UnreachableError
from promptsync.gitio.repo import GitRepository

log = logging.getLogger(__name__)
FETCH_TIMEOUT = 120
URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "promptsync" / "mirrors"


class GitSource:
    """A repository path or URL; `open()` gives a GitRepository to read one cycle from."""

    def __init__(self, location: str, cache_dir: Path | None = None) -> None:
        self.location = location
        local = Path(location).expanduser()
        self.remote = not local.exists() and bool(URL_RE.match(location))
        if self.remote:
            digest = hashlib.sha256(location.encode()).hexdigest()[:16]
            self.path = (cache_dir or default_cache_dir()) / f"{digest}.git"
        elif local.exists():
            self.path = local.resolve()
        else:
            raise GitError(f"{location} is neither a local repository nor a git URL "
                           "(hint: pass --repo DIR_OR_URL or set PROMPTSYNC_REPO)")
        self.fetches = 0

    def open(self) -> GitRepository:
        return GitRepository(self.path)

    def common_dir(self) -> Path:
        """The directory holding refs/ and packed-refs (what the watcher watches)."""
        with self.open() as repo:
            return Path(repo.raw.common_dir).resolve()

    def refresh(self) -> None:
        """Bring the mirror up to date (clone it the first time); nothing to do for a path."""
        if not self.remote:
            return
        if (self.path / "HEAD").exists():
            self._git("-C", str(self.path), "fetch", "--prune", "--quiet", "origin")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._git("clone", "--mirror", "--quiet", self.location, str(self.path))

    def _git(self, *args: str) -> None:
        self.fetches += 1
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        try:
            proc = subprocess.run(["git", *args], capture_output=True, text=True, env=env,
                                  timeout=FETCH_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise UnreachableError(f"git {args[-3]} timed out after {FETCH_TIMEOUT} s") from None
        if proc.returncode != 0:
            raise UnreachableError(f"git {' '.join(a for a in args if '://' not in a)} failed: "
                                   f"{proc.stderr.strip()} (hint: is the URL reachable?)")
