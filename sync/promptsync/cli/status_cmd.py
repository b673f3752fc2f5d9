"""`promptsync status`: the published commit, the last applied and the last attempted sync.

Like Flux's lastAppliedRevision / lastAttemptedRevision: when the two differ, the reason says why
the newest commit is not live.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from promptsync import settings
from promptsync.cli.options import add_db, add_format
from promptsync.credentials import redact
from promptsync.errors import PromptSyncError, UnreachableError
from promptsync.store.engine import first_line, read_only_engine
from promptsync.store.state import (
    PublishedState,
    RunRecord,
    has_tables,
    last_runs,
    read_state,
    status_dict,
)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("status",
                              description=__doc__.splitlines()[0])
    add_db(p)
    add_format(p, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    url = settings.resolve_db_url(args.db)
    engine = read_only_engine(url)
    try:
        if not has_tables(engine):
            raise PromptSyncError(f"{redact(url)} holds no promptsync tables "
                                  "(hint: run `promptsync sync` first)")
        state = read_state(engine)
        applied, attempted = last_runs(engine)
    except SQLAlchemyError as exc:
        raise UnreachableError(f"database {redact(url)}: {first_line(exc)}") from None
    finally:
        engine.dispose()
    print(render_json(state, applied, attempted) if args.format == "json"
          else render_text(state, applied, attempted))
    return 0


def render_json(state: PublishedState, applied: RunRecord | None,
                attempted: RunRecord | None) -> str:
    return json.dumps(status_dict(state, applied, attempted), indent=2)


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
