"""The store on SQLite and PostgreSQL: migrations match the models, the apply is fenced."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.store.apply import StateMoved, apply_changes
from promptsync.store.changeset import ChangeSet, CommitMeta
from promptsync.store.engine import make_engine
from promptsync.store.migrate import current_revision, head_revision, upgrade
from promptsync.store.models import Base
from promptsync.store.state import changed_since, read_state

pytestmark = pytest.mark.timeout(60)
GREETING = PromptId("acme", PromptType.GREETING)


def _changes(frm: str | None, gen: int, to: str, *docs: PromptDoc,
             deletes: tuple[PromptId, ...] = ()) -> ChangeSet:
    return ChangeSet(frm, gen, CommitMeta(to * 40, "Ada <ada@example.com>", datetime.now(UTC)),
                     docs, deletes)


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_apply_is_fenced_by_the_published_state(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    apply_changes(engine, _changes(None, 0, "a", PromptDoc(GREETING, 1, "Hi")))
    with pytest.raises(StateMoved):  # planned against the state before "a"
        apply_changes(engine, _changes(None, 0, "b", PromptDoc(GREETING, 2, "Yo")))
    result = apply_changes(engine, _changes("a" * 40, 1, "b", deletes=(GREETING,)))
    assert (result.generation, result.deleted) == (2, 1)
    assert read_state(engine).commit == "b" * 40
    assert changed_since(engine, 1) == [GREETING]
    assert changed_since(engine, 2) == []
    engine.dispose()


def test_a_failed_transaction_leaves_nothing(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)

    def explode(step: str) -> None:
        if step == "before-commit":
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        apply_changes(engine, _changes(None, 0, "a", PromptDoc(GREETING, 1, "Hi")), explode)
    assert read_state(engine).generation == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM prompts")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM sync_runs")).scalar() == 0
    engine.dispose()


def test_a_second_writer_waits_for_the_first(db_url: str) -> None:
    """SQLite BEGIN IMMEDIATE / PostgreSQL advisory lock: the second writer queues, then is
    fenced off by the compare-and-set instead of applying the same commit again."""
    engine_a, engine_b = make_engine(db_url), make_engine(db_url)
    upgrade(engine_a)
    inside, release = threading.Event(), threading.Event()

    def hold(step: str) -> None:
        if step == "before-commit":
            inside.set()
            release.wait(10)

    first = threading.Thread(target=apply_changes, args=(
        engine_a, _changes(None, 0, "a", PromptDoc(GREETING, 1, "Hi")), hold))
    first.start()
    assert inside.wait(10)
    outcome: list[object] = []

    def second() -> None:
        try:
            apply_changes(engine_b, _changes(None, 0, "a", PromptDoc(GREETING, 1, "Hi")))
            outcome.append("applied")
        except StateMoved:
            outcome.append("fenced")

    other = threading.Thread(target=second)
    other.start()
    time.sleep(0.3)
    assert outcome == []  # still waiting for the lock
    release.set()
    first.join(10)
    other.join(10)
    assert outcome == ["fenced"]
    assert read_state(engine_a).generation == 1
    engine_a.dispose()
    engine_b.dispose()


def test_migrations_go_down_and_up_again(sqlite_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from promptsync.store.migrate import alembic_config

    engine = make_engine(sqlite_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert not inspect(engine).has_table("prompts")
    upgrade(engine)
    assert read_state(engine).generation == 0
    engine.dispose()


def test_the_verdict_column_is_added_to_a_first_schema_database_and_readers_ignore_it(
        db_url: str) -> None:
    from alembic import command

    from promptsync.store.migrate import alembic_config
    from promptsync.store.state import last_runs, record_run, rejected_run

    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0001")  # as an older daemon left it
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sync_runs (from_commit, to_commit, status, created, "
                          "updated, deleted, error, started_at) VALUES "
                          "(NULL, 'a', 'rejected', 0, 0, 0, 'bad', :now)"),
                     {"now": datetime.now(UTC)})
    assert last_runs(engine)[1] is not None  # a reader of the history needs no migration
    upgrade(engine)
    assert rejected_run(engine, "a", "checks=4") is None  # NULL: no verdict key matches
    record_run(engine, from_commit=None, to_commit="a", status="rejected", error="bad",
               started_at=datetime.now(UTC), verdict="checks=4")
    assert rejected_run(engine, "a", "checks=4") is not None
    assert rejected_run(engine, "a", "checks=5") is None
    assert [r.status if r else None for r in last_runs(engine)] == [None, "rejected"]
    engine.dispose()


def _old_reader_rows(engine: Engine, brand: str) -> list[tuple[str, str]]:
    """The statement a reader from before migration 0003 runs (it knows no locale)."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT p.brand, p.template FROM sync_state s LEFT JOIN prompts p ON p.brand IN "
            "(:b, 'default') AND p.type = 'GREETING' WHERE s.id = 1"), {"b": brand})]


def test_locales_migration_keeps_existing_rows_as_base_texts(db_url: str) -> None:
    """From 0002 with data: every row becomes a base text, old readers read what they read
    before, and the table then takes one row per (brand, type, locale)."""
    from alembic import command

    from promptsync.store.migrate import alembic_config
    from promptsync.store.state import live_prompts

    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0002")  # as the previous release left it
    now = datetime.now(UTC)
    columns = ("brand, type, version, description, template, variables, commit_sha, author, "
               "committed_at, synced_at")
    values = "(:b, 'GREETING', 2, '', :t, '{}', 'c', 'Ada', :now, :now)"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO prompts ({columns}) VALUES {values}"),
                     [{"b": "acme", "t": "Hi", "now": now}, {"b": "default", "t": "Hello",
                                                             "now": now}])
        conn.execute(text(f"INSERT INTO prompt_versions ({columns}, action, generation) "
                          f"VALUES {values[:-1]}, 'create', 1)"),
                     {"b": "acme", "t": "Hi", "now": now})
    before = _old_reader_rows(engine, "acme")
    upgrade(engine)
    assert sorted(_old_reader_rows(engine, "acme")) == sorted(before)
    live = live_prompts(engine)
    assert set(live) == {GREETING, PromptId("default", PromptType.GREETING)}
    assert {row.language for row in live.values()} == {""}
    assert changed_since(engine, 0) == [GREETING]
    with engine.begin() as conn:  # a translation beside the base text is now allowed
        conn.execute(text(f"INSERT INTO prompts ({columns}, locale) VALUES "
                          f"{values[:-1]}, 'de')"), {"b": "acme", "t": "Hallo", "now": now})
    with pytest.raises(IntegrityError), engine.begin() as conn:  # one row per locale
        conn.execute(text(f"INSERT INTO prompts ({columns}, locale) VALUES "
                          f"{values[:-1]}, 'de')"), {"b": "acme", "t": "Hallo", "now": now})
    assert PromptId("acme", PromptType.GREETING, "de") in live_prompts(engine)
    engine.dispose()


def test_locales_migration_goes_down_dropping_translations(db_url: str) -> None:
    from alembic import command

    from promptsync.store.migrate import alembic_config
    from promptsync.store.state import live_prompts

    engine = make_engine(db_url)
    upgrade(engine)
    de = PromptId("acme", PromptType.GREETING, "de")
    apply_changes(engine, _changes(None, 0, "a", PromptDoc(GREETING, 1, "Hi"),
                                   PromptDoc(de, 1, "Hallo")))
    command.downgrade(alembic_config(engine), "0002")
    assert _old_reader_rows(engine, "acme") == [("acme", "Hi")]
    upgrade(engine)
    assert set(live_prompts(engine)) == {GREETING}
    engine.dispose()


def test_translations_are_rows_of_their_own(db_url: str) -> None:
    from promptsync.store.state import live_prompts

    engine = make_engine(db_url)
    upgrade(engine)
    de = PromptId("acme", PromptType.GREETING, "de")
    changes = ChangeSet(None, 0, CommitMeta("a" * 40, "Ada", datetime.now(UTC)),
                        (PromptDoc(GREETING, 1, "Hi"), PromptDoc(de, 1, "Hallo")),
                        languages={GREETING: "en"})
    apply_changes(engine, changes)
    live = live_prompts(engine)
    assert (live[GREETING].template, live[GREETING].language) == ("Hi", "en")
    assert (live[de].template, live[de].language) == ("Hallo", "de")
    # The brand now declares French as its base language: the unchanged text takes it.
    relabel = ChangeSet("a" * 40, 1, CommitMeta("b" * 40, "Ada", datetime.now(UTC)),
                        languages={GREETING: "fr"})
    result = apply_changes(engine, relabel)
    assert (result.generation, result.updated) == (2, 1)
    assert live_prompts(engine)[GREETING].language == "fr"
    assert changed_since(engine, 1) == [GREETING]
    engine.dispose()
