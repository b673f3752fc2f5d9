"""When each commit went live: the first applied sync run whose commit contains it.

The runs come from the `sync_runs` table; which commits each run brought in comes from git,
walking the ancestry of the runs' commits once in Python (two git processes in all).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from promptsync.errors import UnreachableError
from promptsync.gitio.plumbing import git
from promptsync.settings import hide_password
from promptsync.store import state
from promptsync.store.engine import first_line, make_engine


def applied_runs(db_url: str) -> list[tuple[str, datetime]]:
    """(to_commit, finished_at) of every applied run in the database at `db_url`, in the order
    they finished."""
    engine = make_engine(db_url, writer=False)
    try:
        return state.applied_runs(engine)
    except SQLAlchemyError as exc:
        raise UnreachableError(f"could not read sync_runs from {hide_password(db_url)}: "
                               f"{first_line(exc)}") from None
    finally:
        engine.dispose()


def _known(repo: Path, shas: list[str]) -> list[str]:
    """The shas this repository holds as commits (a run may name one never fetched here)."""
    if not shas:
        return []
    out = git(repo, "cat-file", "--batch-check", input="".join(f"{s}\n" for s in shas).encode())
    found = {parts[0] for parts in map(str.split, out.decode().splitlines())
             if parts[1:2] == ["commit"]}
    return [s for s in shas if s in found]


def _parents(repo: Path, tips: list[str]) -> dict[str, list[str]]:
    out = git(repo, "rev-list", "--parents", *tips) if tips else b""
    graph: dict[str, list[str]] = {}
    for line in out.decode().splitlines():
        sha, *parents = line.split()
        graph[sha] = parents
    return graph


def live_times(repo: Path, runs: list[tuple[str, datetime]]) -> dict[str, datetime]:
    """For each commit reachable from a run: when the first run that contained it finished."""
    tips = _known(repo, sorted({sha for sha, _ in runs}))
    graph = _parents(repo, tips)
    live: dict[str, datetime] = {}
    for tip, finished in runs:
        if tip not in graph or tip in live:
            continue
        queue = deque([tip])
        while queue:
            sha = queue.popleft()
            if sha in live or sha not in graph:
                continue
            live[sha] = finished
            queue.extend(graph[sha])
    return live
