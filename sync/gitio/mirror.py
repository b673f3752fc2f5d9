"""A bare mirror of a repository URL: cloned once, fetched on demand.

Clone and fetch run under NETWORK_TIMEOUT and never ask for a password.
"""

from __future__ import annotations

import re
from pathlib import Path

from promptsync.errors import GitError, UnreachableError
from promptsync.gitio.command import NETWORK_TIMEOUT, PolicyGit, run

# scheme://..., user@host:path (ssh), or transport::address (a remote helper, e.g. codecommit::)
URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:|[a-z][a-z0-9+.-]*::)",
                    re.IGNORECASE)
HINT = "is the URL reachable, and are its credentials right?"


def is_url(location: str) -> bool:
    return bool(URL_RE.match(location))


class Mirror:
    """The bare mirror of `url` kept at `path`."""

    def __init__(self, url: str, path: Path, timeout: float = NETWORK_TIMEOUT) -> None:
        self.url, self.path, self.timeout = url, path, timeout

    def exists(self) -> bool:
        return (self.path / "HEAD").exists()

    def refresh(self) -> None:
        """Fetch into the mirror (clone it the first time). UnreachableError when that fails."""
        if self.exists():
            self._git(str(self.path), "fetch", "--prune", "--quiet", "origin")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._git(None, "clone", "--mirror", "--quiet", self.url, str(self.path))

    def _git(self, where: str | None, *args: str) -> None:
        try:
            run(PolicyGit(where), args, timeout=self.timeout, hint=HINT)
        except GitError as exc:  # failed or timed out: either way, not reached
            raise UnreachableError(str(exc)) from None
