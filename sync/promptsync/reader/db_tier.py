"""The database tier: one statement reads the brand's rows, the default rows, the generation, and
whether the brand has any row at all (a made-up brand name is never cached under its name).
With a locale the rows are those of every step of promptsync.core.resolution (the tag's chain
and the base text, of both brands), and the first step that has a row answers.

One statement is one snapshot on SQLite and PostgreSQL alike, so the generation stamped on the
answer is the one its row belongs to (`promptsync.cache.protocol` relies on that).
It runs on a pooled DB-API connection without SQLAlchemy's statement machinery: this is the
hot path on a Redis miss, and a hand-written cursor is as fast as a read can be.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from promptsync.core.resolution import lookup_order
from promptsync.locale import chain
from promptsync.lru import LRU
from promptsync.model import DEFAULT_BRAND, PromptType
from promptsync.reader.generation import GENERATION_SQL, DataVersion
from promptsync.reader.offload import Offload
from promptsync.record import Prompt, Variables, freeze_variables, freeze_variants
from promptsync.store.engine import is_postgresql, sqlite_reader, with_psycopg

T = TypeVar("T")
_QUERY = (
    "SELECT s.generation, p.brand, p.version, p.template, p.variables, p.commit_sha,"
    " EXISTS (SELECT 1 FROM prompts k WHERE k.brand = {ph}), p.locale, p.language, p.variants"
    " FROM sync_state s LEFT JOIN prompts p"
    " ON p.brand IN ({ph}, {ph}) AND p.type = {ph} AND p.locale IN ({tags})"
    " WHERE s.id = 1"
)
# A tag has at most three subtags (language, script, region): its chain and the base text.
_MAX_TAGS = 4


class Answer(NamedTuple):
    """What the database holds for (brand, type), read in one snapshot."""

    prompt: Prompt | None  # the brand's row, else brand default's, else None
    generation: int
    brand_known: bool  # the brand has a row of some type: not a made-up name


def build_engine(url: str, timeout: float) -> Engine:
    """An engine whose connections give up after about `timeout` seconds."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeout)
    if parsed.get_backend_name() == "postgresql":
        ms = max(1, int(timeout * 1000))
        # libpq counts connect_timeout in whole seconds (and treats 1 as 2).
        # statement_timeout bounds a slow query; tcp_user_timeout and keepalives bound a
        # network that stops answering; a server that is alive but stopped is left to the
        # Offload guard in DatabaseTier.fetch.
        args = {"connect_timeout": max(2, math.ceil(timeout)),
                "options": f"-c statement_timeout={ms} -c lock_timeout={ms}",
                "tcp_user_timeout": ms, "keepalives": 1, "keepalives_idle": 5,
                "keepalives_interval": 2, "keepalives_count": 2}
        return create_engine(with_psycopg(parsed), connect_args=args, **_pool_args(timeout))
    return create_engine(parsed, **_pool_args(timeout))


def _pool_args(timeout: float) -> dict[str, Any]:
    # Autocommit: the one SELECT is its own snapshot, no transaction stays open, and the
    # pool need not roll back on every return (a round trip on PostgreSQL).
    return {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None, "pool_size": 10,
            "max_overflow": 20, "pool_timeout": timeout}


def _sqlite_engine(url: str, timeout: float) -> Engine:
    creator = sqlite_reader(url, timeout)
    if creator is None:
        return create_engine(url, connect_args={"timeout": timeout},
                             isolation_level="AUTOCOMMIT")
    # "sqlite://" alone would mean an in-memory database and a one-connection pool.
    return create_engine("sqlite://", creator=creator, poolclass=QueuePool,
                         **_pool_args(timeout))


class DatabaseHung(TimeoutError):
    """The database held the connection open and did not answer in time."""


class DatabaseTier:
    """Reads (brand, type), else (default, type), with the generation, in one round trip."""

    def __init__(self, url: str, timeout: float) -> None:
        self.engine = build_engine(url, timeout)
        ph = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        # By the number of locales asked for: 1 is the base text alone (no locale).
        self._sql = {n: _QUERY.format(ph=ph, tags=", ".join([ph] * n))
                     for n in range(1, _MAX_TAGS + 1)}
        self._decoded: LRU[str, Variables] = LRU(1024)
        # Only a server can hang while holding the connection open; a SQLite file cannot.
        self._timeout = timeout
        self._offload = Offload() if is_postgresql(self.engine) else None
        connect = sqlite_reader(url, timeout)
        self._data_version = DataVersion(connect) if connect is not None else None

    def fetch(self, brand: str, type_: PromptType, locale: str = "") -> Answer:
        """The answering row as a Prompt (source "db") or None, with the generation; `locale`
        is canonical ("" for the base text)."""
        return self._guarded(self._fetch, brand, type_, locale)

    def generation(self) -> int:
        """`sync_state.generation` now (0 before the daemon's first commit)."""
        if self._data_version is not None:
            return self._data_version.generation()
        return self._guarded(self._generation)

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        if self._offload is None:
            return fn(*args)
        try:
            return self._offload.call(self._timeout + 0.05, fn, *args)
        except FutureTimeout:
            raise DatabaseHung(f"no answer within {self._timeout:g} s") from None

    def _generation(self) -> int:
        rows = self._rows(GENERATION_SQL, ())
        return int(rows[0][0]) if rows else 0

    def _fetch(self, brand: str, type_: PromptType, locale: str) -> Answer:
        tags = (*chain(locale), "")
        rows = self._rows(self._sql[len(tags)], (brand, brand, DEFAULT_BRAND, type_.value, *tags))
        if not rows:
            return Answer(None, 0, False)  # no sync_state: the daemon never applied a commit
        generation, known = int(rows[0][0]), bool(rows[0][6])
        row = _pick(rows, brand) if not locale else _resolve(rows, brand, locale)
        if row is None:
            return Answer(None, generation, known)
        _, answering, version, template, variables, commit, _, tag, language, variants = row
        return Answer(Prompt(answering, type_, template, int(version), commit, "db",
                             self._variables(variables), generation, tag, language,
                             freeze_variants(variants)),
                      generation, known)

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """One statement on a pooled connection; a failure never goes back to the pool."""
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            rows = list(cursor.fetchall())
            cursor.close()
        except Exception:
            # A connection that failed may be dead (a restarted server closed it), and so may
            # every other pooled one: drop this one and start a new pool, or each would fail
            # once per breaker cooldown, or for ever once handed back.
            conn.invalidate()
            self.engine.dispose()
            raise
        finally:
            conn.close()  # back to the pool, or away when invalidated
        return rows

    def _variables(self, raw: Any) -> Variables:
        # SQLite hands the JSON column over as text: decode each distinct text once.
        if not isinstance(raw, str):
            return freeze_variables(raw)
        frozen = self._decoded.get(raw)
        if frozen is None:
            frozen = freeze_variables(raw)
            self._decoded.put(raw, frozen)
        return frozen

    def reconnect(self) -> None:
        """Forget the parent's pooled connections in a forked child without closing them."""
        self.engine.dispose(close=False)
        self._decoded.reset_lock()
        if self._data_version is not None:
            self._data_version.forget()
        if self._offload is not None:
            self._offload = Offload()  # the parent's helper threads do not exist in the child

    def close(self) -> None:
        self.engine.dispose()
        if self._data_version is not None:
            self._data_version.close()


def _resolve(rows: Sequence[Any], brand: str, locale: str) -> Any:
    """The row of the first step of the lookup order that has one."""
    found = {(r[1], r[7]): r for r in rows if r[1] is not None}
    for step in lookup_order(brand, locale):
        row = found.get(step)
        if row is not None:
            return row
    return None


def _pick(rows: Sequence[Any], brand: str) -> Any:
    found = [r for r in rows if r[1] is not None]
    for row in found:
        if row[1] == brand:
            return row
    return found[0] if found else None
