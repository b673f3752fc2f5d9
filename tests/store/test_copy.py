"""A first load on PostgreSQL sends its rows with COPY (store/apply.py, COPY_ROWS); the rows it
writes are the ones an INSERT of the same change set writes, to the byte: texts with tabs,
backslashes and line breaks, JSON columns, a variant list and its absence, NULLs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from promptsync.model import PromptDoc, PromptId, PromptType, VariableSpec, VariantSpec
from promptsync.store import apply
from promptsync.store.apply import apply_changes
from promptsync.store.changeset import ChangeSet, CommitMeta
from promptsync.store.engine import make_engine
from promptsync.store.migrate import upgrade

pytestmark = pytest.mark.timeout(120)
COUNT = 150  # past COPY_ROWS
ODD = "tab\there, back\\slash \\N, quote \" ' , line\nbreak\r\n, é ß 中, {{ x }}"


def docs(brand: str) -> list[PromptDoc]:
    made = []
    for n in range(COUNT):
        locale = "de" if n % 3 == 0 else ""
        made.append(PromptDoc(
            PromptId(f"{brand}-{n:03d}", PromptType.GREETING, locale), n + 1,
            f"Hi {n} {ODD} {{{{ brand_name }}}}", description=ODD if n % 2 else "",
            variables=(VariableSpec("brand_name", "string", True, None, ODD),
                       VariableSpec("count", "integer", False, 3),
                       VariableSpec("flag", "boolean", False, False, "")),
            translated_from=1 if locale else None,
            variants=(VariantSpec("short", 50, f"Yo {ODD}", ODD),) if n % 4 == 0 else ()))
    return made


ROW = ("type, locale, language, translated_from, version, description, template, "
       "variables::text, variants::text, variants IS NULL, author, committed_at")


def test_rows_sent_with_copy_are_the_rows_an_insert_writes(pg_url: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        when = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
        by_insert = ChangeSet(None, 0, CommitMeta("a" * 40, "Ada <ada@example.com>", when),
                              tuple(docs("ins")))
        monkeypatch.setattr(apply, "COPY_ROWS", 10**9)
        apply_changes(engine, by_insert)
        by_copy = ChangeSet("a" * 40, 1, CommitMeta("b" * 40, "Ada <ada@example.com>", when),
                            tuple(docs("cpy")))
        monkeypatch.setattr(apply, "COPY_ROWS", 100)
        result = apply_changes(engine, by_copy)
        assert result.created == COUNT
        with engine.connect() as conn:
            for table, extra in (("prompts", ""), ("prompt_versions", ", action")):
                inserted, copied = ([tuple(r) for r in conn.execute(text(
                    f"SELECT substr(brand, 5), {ROW}{extra} FROM {table} "
                    f"WHERE brand LIKE '{prefix}-%' ORDER BY brand, locale"))]
                    for prefix in ("ins", "cpy"))
                assert len(inserted) == COUNT and copied == inserted, table
    finally:
        engine.dispose()
