"""The production topology in processes of their own: one git server (git daemon), several
`promptsync serve --no-sync --repo URL` API processes and one `promptsync sync --repo URL`
daemon, on PostgreSQL and Redis, as the README's Procfile runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from promptsync.api.keys import KeyStore, Scope
from tests.support.gitrepo import PROJECT_ROOT
from tests.support.servers import free_port

START_LIMIT = 90.0


@dataclass
class Topology:
    apis: list[str]  # base URLs
    key: str
    daemon: subprocess.Popen[bytes]


def _env(secret: str | None = None) -> dict[str, str]:
    extra = {"PROMPTSYNC_WEBHOOK_SECRET": secret} if secret else {}
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **extra}


@contextmanager
def _process(args: list[str], log: Path, secret: str | None = None
             ) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "promptsync", *args], env=_env(secret),
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def topology(url: str, db: str, redis_url: str, tmp: Path, apis: int = 3,
             interval: float = 0.5, extra: tuple[str, ...] = (),
             secret: str | None = None) -> Iterator[Topology]:
    """`apis` API processes and one daemon. The daemon and the even-numbered API processes
    share one mirror folder (one host); the odd ones have one of their own (another host)."""
    keys = tmp / "keys.json"
    key = KeyStore(keys).add("dana", Scope.WRITE, None)
    common = ["--repo", url, "--db", db, "--redis", redis_url]
    with ExitStack() as stack:
        daemon = stack.enter_context(_process(
            ["sync", *common, "--cache-dir", str(tmp / "cache-0"), "--interval", str(interval),
             *extra], tmp / "daemon.log"))
        urls = []
        for n in range(apis):
            port = free_port()
            stack.enter_context(_process(
                ["serve", "--no-sync", *common, "--cache-dir", str(tmp / f"cache-{n % 2}"),
                 "--write-to", "main", "--port", str(port),
                 "--keys-file", str(keys)], tmp / f"api-{n}.log", secret))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + START_LIMIT
        while not all(_answers(u) for u in urls):
            if time.monotonic() > deadline or daemon.poll() is not None:
                logs = "\n".join(p.read_text() for p in sorted(tmp.glob("*.log")))
                raise AssertionError(f"the topology did not come up:\n{logs}")
            time.sleep(0.1)  # waiting for the processes to listen
        yield Topology(urls, key, daemon)
