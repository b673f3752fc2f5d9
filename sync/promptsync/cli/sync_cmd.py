"""`promptsync sync`: follow the published branch into the database and Redis.

    promptsync sync --repo PATH_OR_URL [--ref BRANCH] [--db URL] [--redis URL] [--once]
                    [--notify URL ...] [--notify-format auto|json|slack]
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from promptsync import settings
from promptsync.cache.invalidate import Invalidator
from promptsync.cache.wake import WakeListener
from promptsync.cli.options import (
    NOTIFY_SECRET_ENV,
    add_cache_dir,
    add_db,
    add_followed_ref,
    add_notify,
    add_redis,
    add_repo_or_url,
    notify_format,
    notify_urls,
)
from promptsync.credentials import redact
from promptsync.daemon.loop import Daemon
from promptsync.daemon.metrics import Metrics, stale_after
from promptsync.daemon.metrics_server import MetricsServer
from promptsync.daemon.outcome import Outcome
from promptsync.daemon.runner import Runner
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.errors import UsageError
from promptsync.fleet.metrics import FleetCollector
from promptsync.fleet.source import FleetSource
from promptsync.fleet.view import resolve_grace
from promptsync.notify.fleetwatch import FleetWatch
from promptsync.notify.sender import receivers
from promptsync.notify.worker import Notifier
from promptsync.store.engine import first_line, make_engine
from promptsync.validate import pool

log = logging.getLogger("promptsync.cli.sync")


@dataclass(frozen=True)
class SyncSettings:
    repo: str
    ref: str
    db_url: str
    redis_url: str | None
    once: bool
    interval: float
    allow_empty: bool
    metrics_port: int | None
    metrics_host: str
    cache_dir: Path | None
    notify: tuple[str, ...] = ()
    notify_format: str = "auto"


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("sync", description=__doc__.splitlines()[0])
    add_repo_or_url(p)
    add_followed_ref(p)
    add_db(p)
    add_redis(p)
    p.add_argument("--once", action="store_true", help="sync the ref's head once and exit")
    p.add_argument("--interval", type=float, default=10.0,
                   help="seconds between fetches of a URL / polls of a path (default 10)")
    p.add_argument("--allow-empty", action="store_true",
                   help="allow a commit that deletes every prompt")
    p.add_argument("--metrics-port", type=int,
                   help="serve /metrics and /healthz on this port; /healthz answers 503 before "
                        "the first cycle that reaches git and the database, after 3 cycles in a "
                        "row that do not, and when none did for max(3 x interval, 10 s)")
    p.add_argument("--metrics-host", default="127.0.0.1",
                   help="address the metrics port listens on (default 127.0.0.1, this machine "
                        "only; 0.0.0.0 for every interface)")
    add_cache_dir(p)
    add_notify(p)


def parse_settings(args: argparse.Namespace) -> SyncSettings:
    repo = settings.resolve(args.repo, settings.REPO_ENV, None)
    if repo is None:
        raise UsageError("no repository: pass --repo PATH_OR_URL or set PROMPTSYNC_REPO")
    if args.interval <= 0:
        raise UsageError("--interval must be a positive number of seconds")
    return SyncSettings(
        repo=repo, ref=settings.resolve_ref(args.ref),
        db_url=settings.resolve_db_url(args.db), redis_url=settings.resolve_redis_url(args.redis),
        once=args.once, interval=args.interval, allow_empty=args.allow_empty,
        metrics_port=args.metrics_port, metrics_host=args.metrics_host,
        cache_dir=args.cache_dir, notify=notify_urls(args.notify),
        notify_format=notify_format(args.notify_format))


def build_syncer(s: SyncSettings, metrics: Metrics) -> Syncer:
    source = GitSource(s.repo, s.cache_dir)
    invalidator = Invalidator(s.redis_url) if s.redis_url else None
    if invalidator is None:
        log.warning("no Redis configured: the database is the only shared tier")
    engine = make_engine(s.db_url)
    return Syncer(source, s.ref, engine, invalidator, allow_empty=s.allow_empty,
                  metrics=metrics, notifier=build_notifier(s, engine))


def build_notifier(s: SyncSettings, engine: Engine) -> Notifier | None:
    """The delivery worker for --notify (None without one), watching the fleet with Redis."""
    if not s.notify:
        return None
    to = receivers(s.notify, s.notify_format)
    secret = settings.resolve(None, NOTIFY_SECRET_ENV, None)
    if secret is None:
        log.warning("%s is not set: notifications are sent unsigned", NOTIFY_SECRET_ENV)
    watch = FleetWatch(s.redis_url, engine, resolve_grace(None)) if s.redis_url else None
    log.info("notifying %s", ", ".join(f"{r.shown} ({r.format})" for r in to))
    return Notifier(engine, to, secret, watch=watch)


def run(args: argparse.Namespace) -> int:
    if args.verbose == 0:
        logging.getLogger("promptsync").setLevel(logging.INFO)  # the one line per run is the point
    s = parse_settings(args)
    log.info("following %s of %s into %s", s.ref, redact(s.repo), redact(s.db_url))
    syncer = build_syncer(s, Metrics(stale_after=stale_after(s.interval)))
    try:
        return run_once(syncer) if s.once else run_daemon(syncer, s)
    finally:
        if syncer.notifier is not None:
            syncer.notifier.stop()
        syncer.engine.dispose()
        if syncer.invalidator is not None:
            syncer.invalidator.close()


def run_once(syncer: Syncer) -> int:
    outcome = syncer.cycle()
    _print_outcome(outcome)
    if syncer.notifier is not None:
        _deliver_once(syncer.notifier)
    return outcome.exit_code  # 2 when Redis missed the change, though the database has it


def _print_outcome(o: Outcome) -> None:
    if o.status == "rejected":
        print(f"rejected {o.to_commit}; the database keeps {o.from_commit}", file=sys.stderr)
        for line in o.reason.splitlines():
            print(f"  {line}", file=sys.stderr)
    elif o.status in ("unreachable", "failed", "contended"):
        print(f"promptsync sync: error: {o.reason}", file=sys.stderr)
    elif not o.cache_ok:
        print(f"promptsync sync: error: the database holds {o.to_commit} ({o.status}), but Redis "
              "could not be reached to invalidate it; readers may serve older prompts from Redis "
              "until a sync reaches it (at most an hour, the keys' TTL)", file=sys.stderr)
    elif o.status == "current":
        print(f"up to date at {o.to_commit} generation {o.generation}")
    else:
        print(f"{o.status} {o.to_commit} generation {o.generation} "
              f"({o.created} created, {o.updated} updated, {o.deleted} deleted)")


def _deliver_once(notifier: Notifier) -> None:
    """One delivery pass: what fails stays in the outbox for the next run or the daemon."""
    try:
        notifier.deliver()
        notifier.release()
    except SQLAlchemyError as exc:
        log.warning("notifications not sent (the database: %s); they stay in the outbox",
                    first_line(exc))


def _metrics_server(syncer: Syncer, s: SyncSettings) -> MetricsServer | None:
    if s.metrics_port is None:
        return None
    if s.redis_url:  # the fleet's gauges beside the daemon's, read at each scrape
        source = FleetSource(s.redis_url, syncer.engine, resolve_grace(None))
        syncer.metrics.registry.register(FleetCollector(source))
    try:
        return MetricsServer(syncer.metrics, s.metrics_port, s.metrics_host).start()
    except OSError as exc:
        raise UsageError(f"cannot serve metrics on {s.metrics_host} port {s.metrics_port}: "
                         f"{exc.strerror or exc}") from None


def run_daemon(syncer: Syncer, s: SyncSettings) -> int:
    pool.start_server()  # from the main thread, which outlives every cycle
    daemon = Daemon(syncer, interval=s.interval)
    server = _metrics_server(syncer, s)
    if syncer.notifier is not None:
        syncer.notifier.start()
    # API processes (serve --no-sync) say through Redis when they pushed or took a webhook.
    wakes = WakeListener(s.redis_url, s.ref, daemon.waker.wake).start() if s.redis_url else None
    try:
        # Cycles run in a worker thread: a long validation cannot hold SIGTERM back.
        Runner(daemon.run, daemon.request_stop).run()
    finally:
        if wakes is not None:
            wakes.stop()
        if server is not None:
            server.close()
    return 0
