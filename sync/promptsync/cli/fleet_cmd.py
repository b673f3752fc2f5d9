"""`promptsync fleet`: every reader process, what it serves, and whether it keeps up.

    promptsync fleet [--redis URL] [--db URL] [--service S] [--grace SECONDS] [--format text|json]

Readers report themselves to Redis (promptsync.reader.heartbeat); this reads their reports and
judges them (promptsync.fleet.view). Exit 0 when no reader is stale, 1 when one is, 2 when the
fleet cannot be read (no Redis, Redis or the database unreachable).
"""

from __future__ import annotations

import argparse
from typing import Any

from promptsync import settings
from promptsync.cli.options import add_format, add_redis
from promptsync.errors import UsageError
from promptsync.fleet.reporters import REPORTERS
from promptsync.fleet.source import FleetSource
from promptsync.fleet.view import DEFAULT_GRACE, GRACE_ENV, Fleet, resolve_grace

NEEDS_REDIS = ("fleet needs Redis: readers report themselves there (without Redis they poll the "
               f"database and write nothing); pass --redis URL or set {settings.REDIS_URL_ENV}")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("fleet", description=__doc__.splitlines()[0])
    add_redis(p)
    p.add_argument("--db", metavar="URL", help="judge against the commit this database "
                   f"publishes (env {settings.DB_URL_ENV}; default: none, Redis's generation)")
    p.add_argument("--service", metavar="S", help="only the readers of this service")
    p.add_argument("--grace", type=float, metavar="SECONDS", help="how long a reader may be "
                   f"behind a publish before it is stale (env {GRACE_ENV}, default "
                   f"{DEFAULT_GRACE:g})")
    add_format(p, ("text", "json"))


def run(args: argparse.Namespace) -> int:
    fleet = look(settings.resolve_redis_url(args.redis),
                 settings.resolve(args.db, settings.DB_URL_ENV, None),
                 resolve_grace(args.grace))
    fleet = fleet.only(args.service)
    print(REPORTERS[args.format](fleet))
    return fleet.exit_code


def look(redis_url: str | None, db_url: str | None, grace: float) -> Fleet:
    """The fleet in the Redis at `redis_url`, judged against the database at `db_url` when one
    is named."""
    if redis_url is None:
        raise UsageError(NEEDS_REDIS)
    if db_url is None:
        return _look(FleetSource(redis_url, None, grace))
    # Here: SQLAlchemy costs most of the command's start, and only --db needs it.
    from promptsync.cli.status_cmd import reading

    with reading(settings.check_database_url(db_url)) as engine:
        return _look(FleetSource(redis_url, engine, grace))


def _look(source: FleetSource) -> Fleet:
    try:
        return source.look()
    finally:
        source.close()
