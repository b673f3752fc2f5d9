"""A real git server on a loopback port: `git daemon` serving bare repositories over git://,
pushes included (receive-pack), so fetches and pushes go through git's own protocol."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support.gitrepo import GitRepo
from tests.support.servers import free_port

START_LIMIT = 30.0


class GitServer:
    """`git daemon` over `base`; `add(repo)` publishes a bare clone of a repository."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.base.mkdir(parents=True, exist_ok=True)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, name: str = "prompts.git") -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def add(self, source: GitRepo, name: str = "prompts.git") -> GitRepo:
        """A bare clone of `source` served as `name`; the bare repository."""
        subprocess.run(["git", "clone", "-q", "--bare", str(source.path), str(self.base / name)],
                       check=True, capture_output=True)
        return GitRepo(self.base / name)

    def start(self, port: int | None = None) -> GitServer:
        """Serve on `port` (a restart on the port it had), else on a free one."""
        for _ in range(5):  # a port picked free can be taken before the daemon binds it
            self.port = port or free_port()
            self.proc = subprocess.Popen(
                ["git", "daemon", "--enable=receive-pack", "--export-all", "--reuseaddr",
                 f"--base-path={self.base}", "--listen=127.0.0.1", f"--port={self.port}",
                 str(self.base)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._accepting():
                return self
            self.stop()
        raise RuntimeError("git daemon did not start")

    def _accepting(self) -> bool:
        deadline = time.monotonic() + START_LIMIT
        while self.proc is not None and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.02)  # waiting for the daemon to listen
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def refuse_pushes(bare: GitRepo, message: str) -> Path:
    """A pre-receive hook on the server that refuses every push with `message`."""
    hook = bare.path / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    hook.chmod(0o755)
    return hook
