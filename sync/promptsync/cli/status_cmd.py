"""`promptsync status`: the published commit, the last applied and the last attempted sync.

Like Flux's lastAppliedRevision / lastAttemptedRevision: when the two differ, the reason says why
the newest commit is not live.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from promptsync import settings
from promptsync.cli.options import add_db, add_format
from promptsync.errors import PromptSyncError, UnreachableError
from promptsync.settings import hide_password
from promptsync.store.engine import first_line, make_engine
from promptsync.store.state import PublishedState, RunRecord, last_runs, read_state


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("status",
                              description=__doc__.splitlines()[0])
    add_db(p)
    add_format(p, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    with reading(settings.resolve_db_url(args.db)) as engine:
        state = read_state(engine)
        applied, attempted = last_runs(engine)
    print(render_json(state, applied, attempted) if args.format == "json"
          else render_text(state, applied, attempted))
    return 0


@contextmanager
def reading(url: str) -> Iterator[Engine]:
    """A read-only engine on promptsync's database at `url` (a SQLite file is opened read-only,
    never created), disposed after; what a user can act on is one clear error: no tables there,
    the server unreachable."""
    engine = make_engine(settings.read_only_database(url), writer=False)
    try:
        if not inspect(engine).has_table("sync_state"):
            raise PromptSyncError(f"{hide_password(url)} holds no promptsync tables "
                                  "(hint: run `promptsync sync` first)")
        yield engine
    except SQLAlchemyError as exc:
        raise UnreachableError(f"database {hide_password(url)}: {first_line(exc)}") from None
    finally:
        engine.dispose()


def as_dict(state: PublishedState, applied: RunRecord | None,
            attempted: RunRecord | None) -> dict[str, Any]:
    return {"published": {"commit": state.commit, "generation": state.generation},
            "last_applied": applied.as_dict() if applied else None,
            "last_attempted": attempted.as_dict() if attempted else None}


def render_json(state: PublishedState, applied: RunRecord | None,
                attempted: RunRecord | None) -> str:
    return json.dumps(as_dict(state, applied, attempted), indent=2)


def render_text(state: PublishedState, applied: RunRecord | None,
                attempted: RunRecord | None) -> str:
    lines = [f"published:      {state.commit or '(nothing yet)'} generation {state.generation}",
             f"last applied:   {_run_text(applied)}",
             f"last attempted: {_run_text(attempted)}"]
    if attempted and attempted.error:
        lines.append("reason:")
        lines += [f"  {line}" for line in attempted.error.splitlines()]
    return "\n".join(lines)


def _run_text(run: RunRecord | None) -> str:
    if run is None:
        return "(none)"
    fields = run.as_dict()
    when = fields["finished_at"] or fields["started_at"]
    counts = f" ({run.created} created, {run.updated} updated, {run.deleted} deleted)"
    return f"{run.to_commit} {run.status} at {when}" + (counts if run.status == "applied" else "")
