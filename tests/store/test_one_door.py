"""Every statement on promptsync's tables is written in `promptsync.store` (the one door to SQL):
the API, the CLI and the daemon call its functions. The reader's hot path is the one exception
the package allows itself: a hand-written SELECT on a DB-API cursor (reader/db_tier.py,
reader/generation.py), kept because it is as fast as a read can be."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.support.gitrepo import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sync" / "promptsync"
DOOR = PACKAGE / "store"
HOT_PATH = {PACKAGE / "reader" / "db_tier.py", PACKAGE / "reader" / "generation.py"}
OUTSIDE = sorted(p for p in PACKAGE.rglob("*.py") if DOOR not in p.parents)
STATEMENTS = {"select", "insert", "update", "delete", "text", "inspect", "Table", "MetaData"}
SQL = re.compile(r"^\s*(SELECT\b.*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+TABLE|PRAGMA)\s", re.IGNORECASE | re.DOTALL)


def sql_outside_the_door(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "promptsync.store.models":
                found.append(f"line {node.lineno}: imports the tables")
            if node.module.startswith("sqlalchemy"):
                found += [f"line {node.lineno}: imports {a.name}" for a in node.names
                          if a.name in STATEMENTS]
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and SQL.match(node.value) and path not in HOT_PATH:
            found.append(f"line {node.lineno}: {node.value[:40]!r}")
    return found


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_store_writes_sql(path: Path) -> None:
    assert sql_outside_the_door(path) == []
