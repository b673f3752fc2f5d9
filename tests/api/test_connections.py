"""Slow clients against `promptsync serve` run as a real process under `ulimit -n 1024` (issue 18,
item 4): a half-sent request head is closed, and 1,100 of them leave /healthz answering and
the log quiet."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from promptsync.api.app import create_app
from promptsync.api.connections import ACCEPT_FAILED, AcceptFailures
from tests.api.server import make_context, serve
from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.support.servers import free_port

NOFILE = 1024
SLOW_CLIENTS = 1100
LIMIT = 60.0
HALF_A_HEAD = b"GET /v1/prompts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


@dataclass
class Served:
    url: str
    port: int
    log: Path


def _limit_descriptors() -> None:  # runs in the child, before it executes Python
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("connections")
    repo = GitRepo.init(tmp / "repo")
    port = free_port()
    log = tmp / "serve.log"
    # A file, not a pipe: a server that logs a flood must not block on a full pipe.
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "promptsync", "serve", "--port", str(port)], cwd=repo.path,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, stdout=out,
            stderr=subprocess.STDOUT, preexec_fn=_limit_descriptors)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + LIMIT
        while not _healthy(url, 2):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not answer within a minute"
            time.sleep(0.05)  # polling the server's first answer, with a limit
        yield Served(url, port, log)
    finally:
        proc.kill()
        proc.wait(LIMIT)


def _healthy(url: str, timeout: float) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=timeout).status_code == 200
    except httpx.TransportError:
        return False


def _slow_socket(port: int) -> socket.socket | None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(HALF_A_HEAD)
    except OSError:
        return None
    sock.setblocking(False)
    return sock


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


SHORT_DEADLINE = 1.0


@pytest.fixture
def quick(synced: tuple[GitRepo, str], keys_file: Path) -> Iterator[str]:
    """The app served as `promptsync serve` serves it, with a one-second head deadline."""
    repo, db = synced
    ctx = make_context(repo.path, db, keys_file)
    try:
        with serve(create_app(ctx), header_seconds=SHORT_DEADLINE) as url:
            yield url
    finally:
        ctx.reader.close()
        ctx.engine.dispose()


@pytest.mark.parametrize("sent", [HALF_A_HEAD, b""])
def test_a_half_sent_or_unsent_request_head_is_closed(quick: str, sent: bytes) -> None:
    port = int(quick.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=LIMIT) as sock:
        sock.sendall(sent)
        try:
            assert sock.recv(1024) == b""  # closed by the server, without an answer
        except ConnectionResetError:
            pass
        except TimeoutError:
            pytest.fail(f"a connection without a whole request head was open after {LIMIT} s")


def test_a_kept_alive_connection_gets_the_same_deadline_for_its_next_head(quick: str) -> None:
    port = int(quick.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=LIMIT) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while not answer.endswith(b"\r\n\r\nok\n"):  # the whole response: head and body
            chunk = sock.recv(4096)
            assert chunk, answer
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        sock.sendall(HALF_A_HEAD)
        try:
            assert sock.recv(1024) == b""
        except ConnectionResetError:
            pass
        except TimeoutError:
            pytest.fail(f"a kept-alive connection with half a head was open after {LIMIT} s")


class SlowClients:
    """`count` connections that each send half a request head and wait; any the server closes
    is opened again, until `stop`."""

    def __init__(self, port: int, count: int) -> None:
        self.port, self.count = port, count
        self.socks: list[socket.socket] = []
        self.opened = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def __enter__(self) -> SlowClients:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self.thread.join(LIMIT)
        for sock in self.socks:
            sock.close()

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.socks = [s for s in self.socks if not (_closed(s) and s.close() is None)]
            while len(self.socks) < self.count and not self.stopping.is_set():
                sock = _slow_socket(self.port)
                if sock is not None:
                    self.socks.append(sock)
                    self.opened += 1
            self.stopping.wait(0.2)  # a pause between sweeps, ended early by `stop`


def test_eleven_hundred_slow_clients_leave_healthz_answering(served: Served) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, 4 * SLOW_CLIENTS)
    if soft < wanted:  # this test's own process holds the 1,100 sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        with SlowClients(served.port, SLOW_CLIENTS) as attack:
            deadline = time.monotonic() + LIMIT
            while attack.opened < SLOW_CLIENTS:
                assert time.monotonic() < deadline, f"only {attack.opened} slow clients opened"
                time.sleep(0.05)  # polling the attack's progress, with a limit
            for _ in range(5):
                assert _healthy(served.url, 30), "/healthz did not answer within 30 s"
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert _healthy(served.url, 30)
    text = served.log.read_text(encoding="utf-8", errors="replace")
    assert text.count("out of system resource") + text.count("cannot accept") <= 2, text[-3000:]
    assert "Traceback" not in text, text[-3000:]


def test_accepts_failing_for_want_of_descriptors_are_logged_once(
        caplog: pytest.LogCaptureFixture) -> None:
    # Issue 18: one traceback per failed accept, 216 MB of log in 36 s.
    loop = asyncio.new_event_loop()
    try:
        loop.set_exception_handler(AcceptFailures(budget=700))
        with caplog.at_level(logging.WARNING):
            for _ in range(2000):
                loop.call_exception_handler({
                    "message": ACCEPT_FAILED,
                    "exception": OSError(errno.EMFILE, "Too many open files")})
            loop.call_exception_handler({"message": "something else"})
    finally:
        loop.close()
    said = [r.getMessage() for r in caplog.records]
    assert len([m for m in said if "cannot accept connections" in m]) == 1, said
    assert "something else" in caplog.text  # other errors still reach asyncio's handler
