"""A private bare mirror of a repository URL: cloned once, fetched on demand.

The mirror's config holds the URL, and a URL may hold a token, so the mirror is the owner's
alone: its folder is 0700 and its config 0600, whatever the umask (also for a mirror an older
version made). Clone and fetch run under NETWORK_TIMEOUT and never ask for a password.

Several processes on one host may share a mirror (`serve --no-sync` processes and the `sync`
daemon, all keyed to the same folder by the URL): a fetch updates many refs, each under its own
`.lock`, and two at once fail on each other's locks. `locked()` (an flock on a file beside the
mirror) serialises whatever changes the mirror's refs, across threads and processes alike.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from promptsync.errors import GitError, UnreachableError
from promptsync.gitio.command import NETWORK_TIMEOUT, PolicyGit, run

# scheme://..., user@host:path (ssh), or transport::address (a remote helper, e.g. codecommit::)
URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:|[a-z][a-z0-9+.-]*::)",
                    re.IGNORECASE)
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
HINT = "is the URL reachable, and are its credentials right?"


def is_url(location: str) -> bool:
    return bool(URL_RE.match(location))


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "promptsync" / "mirrors"


def mirror_path(url: str, cache_dir: Path | None = None) -> Path:
    """Where the mirror of `url` is kept: one folder per URL, whoever asks (daemon or API)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return (cache_dir or default_cache_dir()) / f"{digest}.git"


class Mirror:
    """The bare mirror of `url` kept at `path`."""

    def __init__(self, url: str, path: Path, timeout: float = NETWORK_TIMEOUT) -> None:
        self.url, self.path, self.timeout = url, path, timeout
        self._holder: int | None = None  # the thread holding the lock through this object

    def _stall_limit(self) -> dict[str, str]:
        # git's HTTP helper is git's child, not ours: it does not die with us. Told to give up
        # on a transfer stalled for as long as our own limit, it never outlives us by more.
        # (An operator's own GIT_HTTP_LOW_SPEED_* settings win.)
        limit = {"GIT_HTTP_LOW_SPEED_LIMIT": "1",
                 "GIT_HTTP_LOW_SPEED_TIME": str(max(1, int(self.timeout)))}
        return {k: v for k, v in limit.items() if k not in os.environ}

    def exists(self) -> bool:
        return (self.path / "HEAD").exists()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the mirror's lock: no other thread or process fetches into it, or writes to
        it, meanwhile. Reentrant for the thread that holds it (through this object)."""
        me = threading.get_ident()
        if self._holder == me:
            yield
            return
        self.path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT,
                     PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._holder = me
            yield
        finally:
            self._holder = None
            os.close(fd)  # closing the descriptor lets go of the flock

    def refresh(self) -> None:
        """Fetch into the mirror (clone it the first time). UnreachableError when that fails."""
        with self.locked():
            self._refresh()

    def _refresh(self) -> None:
        if self.exists():
            self._tighten()
            self._git(str(self.path), "fetch", "--prune", "--quiet", "origin")
        else:
            self.path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
            if self.path.exists():  # a clone cut short (killed): start it again
                shutil.rmtree(self.path)
            self.path.mkdir(mode=PRIVATE_DIR)  # git clones into an empty folder
            try:
                self._git(None, "clone", "--mirror", "--quiet", self.url, str(self.path))
            except UnreachableError:
                shutil.rmtree(self.path, ignore_errors=True)  # no empty mirror left behind
                raise
            self._tighten()

    def _tighten(self) -> None:
        os.chmod(self.path, PRIVATE_DIR)
        config = self.path / "config"
        if config.exists():
            os.chmod(config, PRIVATE_FILE)

    def _git(self, where: str | None, *args: str) -> None:
        try:
            run(PolicyGit(where), args, env=self._stall_limit(), timeout=self.timeout, hint=HINT)
        except GitError as exc:  # failed or timed out: either way, not reached
            raise UnreachableError(str(exc)) from None
