"""The package's rooms stand on floors, and a room imports only from its own floor or below.

A room is a top-level module or folder of `promptsync`. The floors, lowest first, as the code
has them:

    0  vocabulary  errors, credentials, settings, version, locale, model, record, lru, tree,
                   known_blobs, versionline, brands, defaults: words and rules every room
                   shares
    1  doors       sandbox (Jinja), gitio (git), store (SQL), cache (Redis): one door per outside
                   system; rendering (how a prompt renders, in the sandbox)
    2  validate    the checks of files
    3  core        the one core every front end asks: which file answers, which files a check
                   must see, the verdict on a change (the Workspace over validate)
    4  uses of git, the core and the stores: preview, history, coverage, rollback, mergedriver,
       fleet (readers judged against what is published), notify (the outbox delivered)
    5  front ends' engines: daemon, reader, edit, web (the page's files)
    6  api         the HTTP application over all of the above
    7  cli         the `promptsync` command, which also starts the API
    8  the package's face: `promptsync/__init__.py` (what the chat runtime imports) and
       `__main__`

Every import counts: at the top of a module, inside a function (an import moved into a function
to dodge a cycle is the cycle still), under TYPE_CHECKING. Besides the floors, no two rooms may
import each other through any path (a cycle), whatever their floors.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.support.gitrepo import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sync" / "promptsync"
FACE = "__init__"
FLOORS: dict[str, int] = {
    **dict.fromkeys(["errors", "credentials", "settings", "version", "locale", "model", "record",
                     "lru", "tree", "known_blobs", "versionline", "trailers", "brands",
                     "defaults"], 0),
    **dict.fromkeys(["sandbox", "gitio", "store", "cache", "rendering"], 1),
    "validate": 2,
    "core": 3,
    **dict.fromkeys(["preview", "history", "coverage", "rollback", "mergedriver", "fleet",
                     "notify"], 4),
    **dict.fromkeys(["daemon", "reader", "edit", "web"], 5),
    "api": 6,
    "cli": 7,
    FACE: 8, "__main__": 8,
}

Edge = tuple[str, str, str]  # (from room, to room, where: "path:line")


def room_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _targets(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """The rooms an import statement names (`from promptsync import x` names room x, or the
    face when x is not a room)."""
    if isinstance(node, ast.Import):
        modules = [alias.name for alias in node.names]
    elif node.level:  # relative: resolved against this module's package
        base = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)[:-node.level]
        modules = [".".join([*base, node.module or ""]).rstrip(".")]
    elif node.module == "promptsync":
        return [alias.name if alias.name in FLOORS else FACE for alias in node.names]
    else:
        modules = [node.module or ""]
    return [m.split(".")[1] for m in modules if m.startswith("promptsync.")]


def import_edges() -> list[Edge]:
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = room_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, path):
                    if target != source:
                        edges.append((source, target,
                                      f"{path.relative_to(PACKAGE)}:{node.lineno}"))
    return edges


def rooms() -> set[str]:
    return {room_of(p) for p in PACKAGE.rglob("*.py")}


def test_every_room_has_a_floor() -> None:
    assert sorted(rooms() - set(FLOORS)) == [], "add the new room to FLOORS (and the docstring)"


def test_no_room_imports_from_a_floor_above_it() -> None:
    upward = [f"{where}: {src} (floor {FLOORS[src]}) imports {dst} (floor {FLOORS[dst]})"
              for src, dst, where in import_edges()
              if src in FLOORS and dst in FLOORS and FLOORS[dst] > FLOORS[src]]
    assert upward == []


def test_no_two_rooms_import_each_other() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], str] = {}
    for src, dst, at in import_edges():
        graph[src].add(dst)
        where.setdefault((src, dst), at)
    shown = sorted({" -> ".join(cycle) + f" (first edge at {where[cycle[0], cycle[1]]})"
                    for cycle in _cycles(graph)})
    assert shown == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each room that can reach itself (rooms are few: a walk from each)."""
    found = []
    for start in sorted(graph):
        path = _path(graph, start, start)
        if path is not None:
            found.append(_rotated(path))
    return found


def _path(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A shortest path start -> ... -> goal of at least one edge, as the rooms on it."""
    queue = [[start]]
    seen = set()
    while queue:
        path = queue.pop(0)
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == goal:
                return [*path, goal]
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*path, nxt])
    return None


def _rotated(cycle: list[str]) -> list[str]:
    """The cycle starting at its smallest room, so one cycle is reported once."""
    ring = cycle[:-1]
    i = ring.index(min(ring))
    ring = ring[i:] + ring[:i]
    return [*ring, ring[0]]
