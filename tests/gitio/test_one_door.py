"""Every git process promptsync starts is started by promptsync.gitio (the one door)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from promptsync.gitio.repo import GitRepository
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


# -- no git command line outside gitio: the rest of promptsync asks typed questions --

RUNNERS = {"run", "_run", "run_bytes", "_run_bytes"}
# git's sub-commands whose names are no English word, so a string literal equal to one is a
# command line being written; and the placeholders of a `git log --format`.
SUBCOMMANDS = {"ls-tree", "ls-files", "ls-remote", "update-ref", "rev-list", "merge-base",
               "diff-tree", "diff-index", "rev-parse", "cat-file", "hash-object", "commit-tree",
               "read-tree", "write-tree", "update-index", "check-ref-format", "merge-file",
               "for-each-ref", "symbolic-ref", "show-ref", "name-rev", "cherry-pick"}
LOG_PLACEHOLDER = re.compile(r"%(?:H|an|ae|aI|ad|cI|cn|ce|B|P|x00|x1e)")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def git_command_lines(path: Path) -> list[str]:
    """Where `path` runs a repository's git itself, or writes a piece of a git command line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in RUNNERS - {"run"} \
                and not (isinstance(node.value, ast.Name) and node.value.id == "self"):
            found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in RUNNERS and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append(f"line {node.lineno}: .{node.func.attr}({node.args[0].value!r}, ...)")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docs \
                and (node.value in SUBCOMMANDS or len(LOG_PLACEHOLDER.findall(node.value)) > 1):
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_gitio_writes_a_git_command_line(path: Path) -> None:
    assert git_command_lines(path) == []


def test_a_repository_runs_git_only_from_inside_gitio() -> None:
    assert not hasattr(GitRepository, "run") and not hasattr(GitRepository, "run_bytes")
