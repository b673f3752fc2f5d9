"""When each commit went live: the first applied sync run whose commit contains it.

The runs come from the `sync_runs` table; which commits each run brought in comes from git,
walking the ancestry of the runs' commits once in Python (two git processes in all).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from promptsync.credentials import redact
from promptsync.errors import UnreachableError
from promptsync.gitio.log import ancestry
from promptsync.gitio.repo import GitRepository
from promptsync.store import state
from promptsync.store.engine import first_line, read_only_engine


def applied_runs(db_url: str) -> list[tuple[str, datetime]]:
    """(to_commit, finished_at) of every applied run in the database at `db_url`, in the order
    they finished."""
    engine = read_only_engine(db_url)
    try:
        return state.applied_runs(engine)
    except SQLAlchemyError as exc:
        raise UnreachableError(f"could not read sync_runs from {redact(db_url)}: "
                               f"{first_line(exc)}") from None
    finally:
        engine.dispose()


def live_times(repo: GitRepository, runs: list[tuple[str, datetime]]) -> dict[str, datetime]:
    """For each commit reachable from a run: when the first run that contained it finished."""
    shas = sorted({sha for sha, _ in runs})
    known = repo.known_commits(shas)  # a run may name a commit never fetched here
    tips = [s for s in shas if s in known]
    graph = ancestry(repo, tips)
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
