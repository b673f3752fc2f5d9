"""Every git process promptsync starts is started by promptsync.gitio (the one door)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.gitrepo import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sync" / "promptsync"
DOOR = PACKAGE / "gitio"
OUTSIDE = sorted(p for p in PACKAGE.rglob("*.py") if DOOR not in p.parents)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_gitio_runs_processes_or_gitpython(path: Path) -> None:
    assert not imported_modules(path) & {"subprocess", "git", "gitdb"}
