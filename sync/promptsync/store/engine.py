"""Engines for the two supported databases, with the write serialisation each one needs, and
the one way a SQLite file is opened read-only.

SQLite: pysqlite's own implicit BEGIN is switched off and every transaction starts with
`BEGIN IMMEDIATE`, so two writers queue on the database lock instead of failing at commit
(the recipe of SQLAlchemy's SQLite dialect documentation). PostgreSQL: writers take a
transaction-level advisory lock (see `promptsync.store.apply`). Whoever only reads a SQLite file
(the reader, `status`, `history`) opens it through `sqlite_reader`: read-only, so a wrong path
fails instead of leaving an empty database behind.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from promptsync.credentials import redact
from promptsync.errors import UsageError
from promptsync.settings import check_database_url

SQLITE_BUSY_SECONDS = 30
PG_CONNECT_SECONDS = 5
UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for a relation that does not exist

SQLiteConnect = Callable[[], sqlite3.Connection]


def make_engine(url: str, *, writer: bool = True) -> Engine:
    """An engine for `url`; a writer engine on SQLite begins every transaction IMMEDIATE."""
    parsed = make_url(check_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        if writer:
            create_private(parsed)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        path = sqlite_file(parsed)
        if path is not None:
            _follow_file(engine, path, parsed if writer else None)
        return _sqlite_rules(engine, writer, wal="mode=ro" not in url)
    return create_engine(with_psycopg(parsed), pool_pre_ping=True,
                         connect_args={"connect_timeout": PG_CONNECT_SECONDS})


def read_only_engine(url: str) -> Engine:
    """For a command that only reads: a SQLite file opened read-only (a command run in the
    wrong folder never leaves an empty database behind), an error that says where it looked
    when there is none; other databases as `make_engine` opens them (reading creates nothing)."""
    path = sqlite_file(make_url(check_database_url(url)))
    if path is None:
        return make_engine(url, writer=False)
    if not path.is_file():
        raise UsageError(f"no promptsync database at {path.absolute()} (hint: run "
                         "`promptsync sync` first, or pass --db URL)")
    engine = create_engine("sqlite://", creator=_read_only(path, SQLITE_BUSY_SECONDS),
                           poolclass=QueuePool)
    return _sqlite_rules(engine, writer=False, wal=False)


def sqlite_reader(url: str, timeout: float) -> SQLiteConnect | None:
    """Opens the SQLite file of `url` read-only (`mode=ro`); None when `url` names no SQLite
    file (another database, memory, or a `file:` URI the caller spelled out itself)."""
    path = sqlite_file(make_url(check_database_url(url)))
    return None if path is None else _read_only(path, timeout)


def _read_only(path: Path, timeout: float) -> SQLiteConnect:
    # A URI, to say mode=ro: the path is quoted, or a `#`, `?` or `%` in a folder's name would
    # cut it short (SQLite would open, even create, another file).
    uri = f"file:{quote(str(path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)

    return connect


def with_psycopg(url: URL) -> URL:
    """A bare postgresql:// URL made to name psycopg (3), the driver the project installs;
    SQLAlchemy would otherwise pick psycopg2."""
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for another database, memory, or a `file:` URI."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if url.query.get("uri") or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def create_private(url: URL) -> None:
    """Create the SQLite file of `url` readable by its owner only (0600), in folders made 0700,
    before SQLite would create it world-readable; an existing file is left as the operator set
    it. SQLite gives its -wal and -shm files the database file's permissions."""
    path = sqlite_file(url)
    if path is None or path.exists():
        return
    missing = [p for p in reversed(path.parents) if not p.exists()]
    for folder in missing:
        with contextlib.suppress(FileExistsError):  # another daemon made it meanwhile
            folder.mkdir(mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_rules(engine: Engine, writer: bool, *, wal: bool) -> Engine:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        # WAL lets the chat runtime read while the daemon writes. A read-only open cannot
        # switch it, and needs not: the writer did.
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def _follow_file(engine: Engine, path: Path, private: URL | None) -> None:
    """Make `engine`'s pool drop a connection whose SQLite file was deleted or replaced since
    it opened it: such a connection goes on reading and writing a file nobody else sees (a
    daemon would never notice its database was emptied). One stat per checkout. `private`: a
    file deleted is made again 0600 before SQLite would make it (see create_private)."""

    @event.listens_for(engine, "do_connect")
    def _before_connect(*_args: Any) -> None:
        if private is not None:
            create_private(private)

    @event.listens_for(engine, "connect")
    def _opened(_dbapi_conn: Any, record: Any) -> None:
        record.info["file"] = _identity(path)

    @event.listens_for(engine, "checkout")
    def _checked_out(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("file") != _identity(path):
            raise DisconnectionError(f"the SQLite file {path} was deleted or replaced")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def first_line(exc: SQLAlchemyError) -> str:
    """The driver's own message, first line: what an operator needs, without SQL or URLs
    (a libpq message may quote a connection string, credentials and all)."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return redact(text[0]) if text else type(exc).__name__


def schema_missing(exc: BaseException) -> bool:
    """Whether `exc` says a promptsync table does not exist: a database never migrated, or one
    dropped and created again empty (SQLite: its file deleted) while we ran."""
    if not isinstance(exc, SQLAlchemyError):
        return False
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == UNDEFINED_TABLE:
        return True
    return isinstance(exc, OperationalError) and "no such table" in str(exc)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database cannot answer now (not reachable, or its tables are
    missing), as opposed to a statement it refused: a 503, not a bug."""
    return isinstance(exc, OperationalError | InterfaceError) or schema_missing(exc)
