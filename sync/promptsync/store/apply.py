"""One transaction per commit: lock, check the state did not move, write rows, advance the state.

Writers are serialised by the database itself: PostgreSQL's transaction-level advisory lock, or
SQLite's `BEGIN IMMEDIATE` (see `promptsync.store.engine`). The compare-and-set on `sync_state`
is the fencing check: a writer that planned against a state another writer has since moved gets
`StateMoved` and writes nothing, so no commit is applied twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text, update

from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.store import outbox
from promptsync.store.changeset import ApplyResult, ChangeSet, CommitMeta
from promptsync.store.engine import is_postgresql
from promptsync.store.models import PromptRow, PromptVersionRow, SyncRunRow, SyncStateRow
from promptsync.store.outbox import Event

# pg_advisory_xact_lock key: "promptsync" folded into a bigint, shared by every daemon.
ADVISORY_LOCK_KEY = 0x70726F6D707473
CHUNK = 500
# Rows built and sent at once (a first load sends 100,000): the memory they take is bounded.
ROWS_CHUNK = 2000
# From this many rows on, PostgreSQL takes them with COPY (a first load: 100,000 rows twice).
COPY_ROWS = 100
T = TypeVar("T")
Step = Callable[[str], None]
# What the outbox gets for an applied change set, if anything (the daemon's notifications).
Notice = Callable[[ChangeSet, ApplyResult, datetime], Event | None]


class StateMoved(Exception):
    """Another writer advanced `sync_state` since this change set was planned."""


def apply_changes(engine: Engine, changes: ChangeSet, on_step: Step = lambda _s: None,
                  started_at: datetime | None = None, notice: Notice | None = None
                  ) -> ApplyResult:
    """Apply `changes` in one transaction; raise StateMoved when the fencing check fails.
    `notice` names the event the outbox gets in the same transaction, so it is written if and
    only if the change is."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        _lock(conn)
        _check_state(conn, changes.from_commit, changes.from_generation)
        existing = _existing_rows(conn, [d.id for d in changes.upserts] + list(changes.deletes)
                                  + changes.relanguaged())
        relabel = [existing[i] for i in changes.relanguaged()
                   if i in existing and existing[i]["language"] != changes.language_of(i)]
        bump = 1 if (changes.upserts or relabel
                     or any(i in existing for i in changes.deletes)) else 0
        result = ApplyResult(generation=changes.from_generation + bump)
        _write_prompts(conn, changes, existing, result, now)
        _relabel(conn, changes, relabel, result, now)
        _conclude(conn, changes, result, on_step, started_at or now, notice, now)
    return result


def _conclude(conn: Connection, changes: ChangeSet, result: ApplyResult, on_step: Step,
              started_at: datetime, notice: Notice | None, now: datetime) -> None:
    """What follows the rows in the transaction: the state, the run, the outbox's event."""
    on_step("written")
    _advance_state(conn, changes, result.generation, now)
    status = "applied" if result.touched else "unchanged"
    _insert_run(conn, changes, status, result, started_at)
    event = None if notice is None else notice(changes, result, now)
    if event is not None:
        outbox.add(conn, event, now)
    on_step("before-commit")


class FirstLoad:
    """The rows of a first load (no commit published yet), written while that commit is still
    being validated, in the transaction that will publish it, or roll back.

    A first load of PostgreSQL waited for the validation of every file, then built and sent
    every row (10,000 prompts: 0.5-1 s; 100,000: 10 s), while the pool's workers, checking,
    left the daemon idle. `add` takes each prompt as its check passes: the transaction (lock,
    fencing check) opens with the first, and rows go out ROWS_CHUNK at a time. Once the verdict
    is in, `finish` writes the rest and commits, provided the change set planned from the
    verdict is exactly what was written (`matches`); otherwise, or on an invalid commit, or on
    any failure here (which the ordinary path, taken then, meets again and reports as it
    does), nothing of it is committed: the database holds the old commit or the new one."""

    def __init__(self, engine: Engine, from_generation: int, commit: CommitMeta,
                 rollback: bool, languages: Callable[[list[PromptId]], dict[PromptId, str]]
                 ) -> None:
        self.engine, self.from_generation, self.commit = engine, from_generation, commit
        self.rollback, self.languages = rollback, languages
        self.docs: dict[PromptId, PromptDoc] = {}
        self.failure: Exception | None = None
        self._spoken: dict[PromptId, str] = {}  # the language each base text was written with
        self._pending: list[PromptDoc] = []
        self._conn: Connection | None = None
        self._now = datetime.now(UTC)

    def add(self, doc: PromptDoc) -> None:
        """A prompt whose own check passed; never raises (a failure ends the early load)."""
        if self.failure is not None:
            return
        try:
            if doc.id in self.docs:
                raise ValueError(f"{doc.id} was checked twice")
            if self._conn is None:
                self._begin()
            self.docs[doc.id] = doc
            self._pending.append(doc)
            if len(self._pending) >= ROWS_CHUNK:
                self._flush()
        except Exception as exc:  # the ordinary path meets it again and says what it is
            self.failure = exc
            self.close()

    def matches(self, changes: ChangeSet) -> bool:
        """Whether what was written is the change set the verdict gives, row for row."""
        return (self.failure is None and self._conn is not None
                and (changes.from_commit, changes.from_generation) == (None, self.from_generation)
                and changes.commit == self.commit and changes.rollback == self.rollback
                and not changes.deletes and not changes.relanguaged()
                and len(changes.upserts) == len(self.docs)
                and all(self.docs.get(d.id) is d for d in changes.upserts)
                and all(changes.languages.get(i, "") == spoken
                        for i, spoken in self._spoken.items()))

    def finish(self, changes: ChangeSet, on_step: Step = lambda _s: None,
               started_at: datetime | None = None, notice: Notice | None = None
               ) -> ApplyResult:
        """Write what is left and commit; call only when `matches(changes)`."""
        assert self._conn is not None and self.failure is None
        self._flush()
        result = ApplyResult(generation=self.from_generation + 1, created=len(self.docs))
        action = _action(changes, "create")
        result.changed += [(d.id, d.version, action) for d in changes.upserts]
        _conclude(self._conn, changes, result, on_step, started_at or self._now, notice,
                  self._now)
        self._conn.commit()
        self.close()
        return result

    def close(self) -> None:
        """Roll back what is not committed and let the connection go (again: nothing). The
        documents go too: the daemon gives the memory of a whole-tree load back to the system
        right after it, and with them held (100,000 prompts) RSS stayed 100 MB higher."""
        conn, self._conn = self._conn, None
        self.docs, self._spoken, self._pending = {}, {}, []
        if conn is not None:
            conn.close()  # an open transaction rolls back

    def _begin(self) -> None:
        conn = self.engine.connect()
        try:
            conn.begin()
            _lock(conn)
            _check_state(conn, None, self.from_generation)
            if conn.execute(select(PromptRow.id).limit(1)).first() is not None:
                raise StateMoved("prompts hold rows while no commit is published")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _flush(self) -> None:
        docs, self._pending = self._pending, []
        if not docs or self._conn is None:
            return
        languages = self.languages([d.id for d in docs if not d.id.locale])
        self._spoken.update(languages)
        changes = ChangeSet(None, self.from_generation, self.commit, upserts=tuple(docs),
                            rollback=self.rollback, languages=languages)
        _create(self._conn, changes, docs, self._stamp(), self.from_generation + 1)

    def _stamp(self) -> dict[str, Any]:
        return {"commit_sha": self.commit.sha, "author": self.commit.author,
                "committed_at": self.commit.committed_at, "synced_at": self._now}


def _lock(conn: Connection) -> None:
    if is_postgresql(conn.engine):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})


def _check_state(conn: Connection, commit: str | None, generation: int) -> None:
    row = conn.execute(select(SyncStateRow.commit_sha, SyncStateRow.generation)
                       .where(SyncStateRow.id == 1)).one()
    if (row.commit_sha, row.generation) != (commit, generation):
        raise StateMoved(f"sync_state is at {row.commit_sha} gen {row.generation}, planned "
                         f"against {commit} gen {generation}")


def _existing_rows(conn: Connection, ids: list[PromptId]) -> dict[PromptId, Any]:
    """The live rows of `ids`, fetched by brand in chunks (portable, no tuple IN)."""
    wanted = set(ids)
    brands = sorted({i.brand for i in wanted})
    found: dict[PromptId, Any] = {}
    for start in range(0, len(brands), CHUNK):
        chunk = brands[start:start + CHUNK]
        rows = conn.execute(select(PromptRow).where(PromptRow.brand.in_(chunk)))
        for row in rows.mappings():
            pid = PromptId(row["brand"], PromptType(row["type"]), row["locale"])
            if pid in wanted:
                found[pid] = row
    return found


def _write_prompts(conn: Connection, changes: ChangeSet, existing: dict[PromptId, Any],
                   result: ApplyResult, now: datetime) -> None:
    meta = changes.commit
    stamp = {"commit_sha": meta.sha, "author": meta.author, "committed_at": meta.committed_at,
             "synced_at": now}
    new = [d for d in changes.upserts if d.id not in existing]
    old = [d for d in changes.upserts if d.id in existing]
    gone = [existing[i] for i in changes.deletes if i in existing]
    # Rows are built and sent a chunk at a time: a first load of 100,000 prompts built every
    # row twice (prompts and prompt_versions) before sending any, and the process kept the
    # peak (freed memory scattered among live objects does not go back to the system).
    for docs in _chunks(new, ROWS_CHUNK):
        _create(conn, changes, docs, stamp, result.generation)
    for docs in _chunks(old, ROWS_CHUNK):
        rows = [_row(changes, d) for d in docs]
        conn.execute(update(PromptRow).where(PromptRow.id == bindparam("row_id")),
                     [r | stamp | {"row_id": existing[d.id]["id"]} for r, d in zip(rows, docs,
                                                                                strict=True)])
        _insert(conn, PromptVersionRow, [
            r | stamp | {"action": _action(changes, "update"), "generation": result.generation}
            for r in rows])
    for rows in _chunks(gone, CHUNK):
        conn.execute(delete(PromptRow).where(PromptRow.id.in_([r["id"] for r in rows])))
        conn.execute(insert(PromptVersionRow), [_deleted_row(r) | stamp | {
            "generation": result.generation} for r in rows])
    result.created, result.updated, result.deleted = len(new), len(old), len(gone)
    result.changed += [(d.id, d.version, _action(changes, "create")) for d in new]
    result.changed += [(d.id, d.version, _action(changes, "update")) for d in old]
    result.changed += [(_id_of(r), r["version"], "delete") for r in gone]


def _create(conn: Connection, changes: ChangeSet, docs: list[PromptDoc], stamp: dict[str, Any],
            generation: int) -> None:
    """The rows of new prompts, in both tables."""
    rows = [_row(changes, d) for d in docs]
    _insert(conn, PromptRow, [r | stamp for r in rows])
    _insert(conn, PromptVersionRow, [
        r | stamp | {"action": _action(changes, "create"), "generation": generation}
        for r in rows])


def _insert(conn: Connection, table: type[PromptRow] | type[PromptVersionRow],
            rows: list[dict[str, Any]]) -> None:
    """INSERT the rows; on PostgreSQL, past COPY_ROWS of them, one COPY: a first load of
    100,000 prompts spent most of its transaction in executemany's per-row round of
    parameters. Each value goes through the column type's own bind processing (the JSON
    columns), so the rows are the ones an INSERT writes."""
    if len(rows) < COPY_ROWS or not is_postgresql(conn.engine):
        conn.execute(insert(table), rows)
        return
    columns = table.__table__.columns
    names = list(rows[0])
    processors = [columns[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
                  for n in names]
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.__tablename__)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    driver = conn.connection.driver_connection
    assert driver is not None  # a connection in a transaction
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[n] if p is None else p(row[n])
                            for n, p in zip(names, processors, strict=True)])


def _action(changes: ChangeSet, plain: str) -> str:
    return "rollback" if changes.rollback else plain


def _relabel(conn: Connection, changes: ChangeSet, rows: list[Any], result: ApplyResult,
             now: datetime) -> None:
    """A brand declared another base language: its unchanged texts take it, and the change is
    recorded like any other (Redis and the readers' memory learn it from prompt_versions)."""
    if not rows:
        return
    language = {r["id"]: changes.language_of(_id_of(r)) for r in rows}
    conn.execute(update(PromptRow).where(PromptRow.id == bindparam("row_id"))
                 .values(language=bindparam("new_language"), synced_at=now),
                 [{"row_id": i, "new_language": lang} for i, lang in language.items()])
    conn.execute(insert(PromptVersionRow), [
        {k: r[k] for k in (*_KEPT, "commit_sha", "author", "committed_at")}
        | {"language": language[r["id"]], "action": "update", "synced_at": now,
           "generation": result.generation} for r in rows])
    result.updated += len(rows)
    result.changed += [(_id_of(r), r["version"], "update") for r in rows]


def _id_of(row: Any) -> PromptId:
    return PromptId(row["brand"], PromptType(row["type"]), row["locale"])


def _row(changes: ChangeSet, doc: PromptDoc) -> dict[str, Any]:
    # translated_from: read defensively, the validator's record gains it with the files' work.
    translated = getattr(doc, "translated_from", None)
    return {"brand": doc.id.brand, "type": doc.id.type.value, "locale": doc.id.locale,
            "language": changes.language_of(doc.id),
            "translated_from": translated if isinstance(translated, int) else None,
            "version": doc.version, "description": doc.description, "template": doc.template,
            "variables": doc.variables_json(), "variants": doc.variants_json() or None}


_KEPT = ("brand", "type", "locale", "language", "translated_from", "version", "description",
         "template", "variables", "variants")


def _deleted_row(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in _KEPT} | {"action": "delete"}


def _chunks(values: list[T], size: int = CHUNK) -> Iterable[list[T]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _advance_state(conn: Connection, changes: ChangeSet, generation: int, now: datetime) -> None:
    done = conn.execute(
        update(SyncStateRow)
        .where(SyncStateRow.id == 1, SyncStateRow.generation == changes.from_generation,
               _same_commit(changes.from_commit))
        .values(commit_sha=changes.commit.sha, generation=generation, updated_at=now))
    if done.rowcount != 1:
        raise StateMoved("sync_state moved during the transaction")


def _same_commit(sha: str | None) -> Any:
    return SyncStateRow.commit_sha.is_(None) if sha is None else SyncStateRow.commit_sha == sha


def _insert_run(conn: Connection, changes: ChangeSet, status: str, result: ApplyResult,
                started_at: datetime) -> None:
    conn.execute(insert(SyncRunRow).values(
        from_commit=changes.from_commit, to_commit=changes.commit.sha, status=status,
        created=result.created, updated=result.updated, deleted=result.deleted,
        generation=result.generation, error=None, started_at=started_at,
        finished_at=datetime.now(UTC)))
