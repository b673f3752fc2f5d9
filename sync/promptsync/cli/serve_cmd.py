"""`promptsync serve`: the HTTP API and, by default, the sync daemon in the same process.

    promptsync serve [--repo DIR_OR_URL] [--ref main] [--db URL] [--redis URL]
                     [--host 127.0.0.1] [--port 8080] [--write-to branch|main]
                     [--sync/--no-sync] [--interval S] [--cache-dir DIR]
                     [--notify URL ...] [--notify-format auto|json|slack]

On a fresh machine, in a prompt repository, `promptsync serve` alone gives a working server:
the embedded SQLite database, no Redis, the daemon publishing the branch into it. With
`--repo URL` (a git server: https, ssh, git://, file://) the server keeps a private bare mirror
(shared with a `sync` daemon of the same URL and --cache-dir on this host); an edit is pushed to
the server's branch without force and answered once the server took it. SIGTERM and SIGINT stop
uvicorn, then the daemon (the cycle in progress gets a few seconds), then the rest.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

from promptsync import settings
from promptsync.api.app import create_app
from promptsync.api.background import DaemonThread
from promptsync.api.connections import GuardedServer, guarded_config
from promptsync.api.context import ApiContext, ApiSettings
from promptsync.api.hosts import allowed_hosts
from promptsync.api.keys import KEYS_FILE_ENV, KeyStore, resolve_keys_file
from promptsync.cache.wake import WakeListener, WakePublisher
from promptsync.cli.options import (
    add_cache_dir,
    add_db,
    add_followed_ref,
    add_notify,
    add_redis,
    add_repo_or_url,
    notify_format,
    notify_urls,
    repo_dir,
)
from promptsync.cli.sync_cmd import SyncSettings, build_syncer
from promptsync.credentials import redact
from promptsync.daemon.metrics import Metrics, stale_after
from promptsync.edit.request import WRITE_TO, WriteTo
from promptsync.errors import UsageError
from promptsync.gitio.mirror import Mirror, is_url, mirror_path
from promptsync.reader import PromptReader
from promptsync.store.engine import make_engine

log = logging.getLogger("promptsync.cli.serve")
WRITE_TO_ENV = "PROMPTSYNC_WRITE_TO"
OPEN_READS_ENV = "PROMPTSYNC_OPEN_READS"
ALLOWED_HOSTS_ENV = "PROMPTSYNC_ALLOWED_HOSTS"
_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ServeSettings:
    api: ApiSettings
    host: str
    port: int
    sync: bool
    interval: float
    notify: tuple[str, ...] = ()
    notify_format: str = "auto"
    cache_dir: Path | None = None


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", description=__doc__.splitlines()[0])
    add_repo_or_url(p, required=False)
    add_followed_ref(p)
    add_db(p)
    add_redis(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default "
                   "127.0.0.1, this machine only; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--write-to", choices=WRITE_TO, help="where an edit's commit goes: "
                   "a review branch edit/<brand>/<type>/v<N> (default), or the published branch "
                   f"itself, live within a second (env {WRITE_TO_ENV})")
    p.add_argument("--sync", action=argparse.BooleanOptionalAction, default=True,
                   help="run the sync daemon in this process (default); --no-sync when another "
                        "process runs it")
    p.add_argument("--interval", type=float, default=10.0,
                   help="seconds between the daemon's polls (default 10)")
    p.add_argument("--open-reads", action="store_true", default=None,
                   help="reads and previews need no key even when keys exist "
                        f"(env {OPEN_READS_ENV})")
    p.add_argument("--allowed-host", action="append", metavar="NAME", dest="allowed_hosts",
                   help="a name clients reach this server by (repeatable; env "
                        f"{ALLOWED_HOSTS_ENV}, comma-separated; * for any): requests for "
                        "other names are refused, a guard against DNS rebinding; the bind "
                        "address, localhost, 127.0.0.1 and ::1 are always answered")
    add_cache_dir(p)
    p.add_argument("--keys-file", metavar="FILE", help=f"the API keys (env {KEYS_FILE_ENV}, "
                   "default: promptsync-keys.json here)")
    add_notify(p)  # for the daemon in this process


def parse_settings(args: argparse.Namespace) -> ServeSettings:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a port (1-65535)")
    if args.interval <= 0:
        raise UsageError("--interval must be a positive number of seconds")
    repo, server = _repository(args.repo, args.cache_dir)
    api = ApiSettings(
        repo=repo, server=server, ref=settings.resolve_ref(args.ref),
        write_to=_write_to(args.write_to),
        db_url=settings.resolve_db_url(args.db), redis_url=settings.resolve_redis_url(args.redis),
        keys_file=resolve_keys_file(args.keys_file),
        open_reads=settings.resolve_as(args.open_reads, OPEN_READS_ENV, False, _flag,
                                       expected="true or false"),
        webhook_secret=settings.resolve(None, settings.WEBHOOK_SECRET_ENV, None),
        allowed_hosts=allowed_hosts([args.host], _named_hosts(args.allowed_hosts)))
    urls = notify_urls(args.notify)
    if urls and not args.sync:
        raise UsageError("--notify needs the daemon in this process: the daemon that publishes "
                         "sends the notifications (pass --notify to it, or drop --no-sync)")
    return ServeSettings(api, args.host, args.port, args.sync, args.interval, urls,
                         notify_format(args.notify_format), args.cache_dir)


def _repository(explicit: str | None, cache_dir: Path | None) -> tuple[Path, str | None]:
    """(the folder edits are made in, the git server's URL or None): a local repository, or
    the private mirror of a URL (cloned now, so a wrong URL is an error at start)."""
    location = settings.resolve(explicit, settings.REPO_ENV, None)
    if location is None or Path(location).expanduser().exists() or not is_url(location):
        return repo_dir(explicit), None
    mirror = Mirror(location, mirror_path(location, cache_dir))
    mirror.refresh()
    return mirror.path, location


def _named_hosts(flags: list[str] | None) -> list[str]:
    """--allowed-host, else PROMPTSYNC_ALLOWED_HOSTS (comma-separated)."""
    if flags:
        return flags
    return (settings.resolve(None, ALLOWED_HOSTS_ENV, "") or "").split(",")


def _write_to(explicit: str | None) -> WriteTo:
    given = settings.resolve(explicit, WRITE_TO_ENV, "branch")
    for choice in WRITE_TO:
        if given == choice:
            return choice
    raise UsageError(f"{WRITE_TO_ENV}={given!r} is not {' or '.join(WRITE_TO)}")


def _flag(text: str) -> bool:
    if text.lower() in _YES | _NO:
        return text.lower() in _YES
    raise ValueError(text)


def run(args: argparse.Namespace) -> int:
    s = parse_settings(args)
    if args.verbose == 0:
        logging.getLogger("promptsync").setLevel(logging.INFO)  # say what is served, and syncs
    sock = _bind(s.host, s.port)
    try:
        return _serve(s, sock, args.verbose)
    finally:
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is one clear line, not a log."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host} port {port}: {exc.strerror or exc} (hint: "
                         "another server there? pass --port)") from None
    sock.set_inheritable(True)
    return sock


def _serve(s: ServeSettings, sock: socket.socket, verbose: int) -> int:
    engine = make_engine(s.api.db_url)
    daemon = _start_daemon(s) if s.sync else None
    reader = PromptReader(db_url=s.api.db_url, redis_url=s.api.redis_url)
    ctx = ApiContext(s.api, reader, engine, KeyStore(s.api.keys_file))
    if daemon is not None:
        ctx = replace(ctx, wake_daemon=daemon.wake, daemon_metrics=daemon.metrics)
    # --no-sync: the daemon is another process; a push or a webhook here wakes it via Redis.
    # With the daemon here, it hears the wake-ups of other (--no-sync) API processes.
    wakes = WakePublisher(s.api.redis_url, s.api.ref) if daemon is None and s.api.redis_url \
        else None
    if wakes is not None:
        ctx = replace(ctx, wake_daemon=wakes.wake)
    listener = WakeListener(s.api.redis_url, s.api.ref, daemon.wake).start() \
        if daemon is not None and s.api.redis_url else None
    _announce(s, ctx)
    app = create_app(ctx)
    config = guarded_config(app, log_level="info" if verbose else "warning",
                            access_log=verbose > 0, lifespan="off", server_header=False)
    # uvicorn handles SIGTERM and SIGINT (it stops accepting, finishes the requests in
    # flight), then raises the signal again for the handler it found: ours, which only notes it,
    # so the daemon and the connections below are closed and the exit is 0, not a kill.
    noted = {sig: signal.signal(sig, _noted) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        GuardedServer(config).run(sockets=[sock])
    finally:
        for sig, handler in noted.items():
            signal.signal(sig, handler)
        if daemon is not None:
            daemon.stop()
            daemon.daemon.syncer.engine.dispose()
        service = getattr(app.state, "edit_service", None)
        if service is not None:
            service.close()  # the writer finishes the edits it took
        app.state.previews.files.close()  # ends the git cat-file children previews keep
        if app.state.fleet is not None:
            app.state.fleet.close()
        if wakes is not None:
            wakes.close()
        if listener is not None:
            listener.stop()
        reader.close()
        engine.dispose()
    return 0


def _noted(signum: int, _frame: FrameType | None) -> None:
    log.info("signal %d: stopped", signum)


def _start_daemon(s: ServeSettings) -> DaemonThread:
    sync = SyncSettings(repo=s.api.server or str(s.api.repo), ref=s.api.ref, db_url=s.api.db_url,
                        redis_url=s.api.redis_url, once=False, interval=s.interval,
                        allow_empty=False, metrics_port=None, metrics_host="127.0.0.1",
                        cache_dir=s.cache_dir, notify=s.notify, notify_format=s.notify_format)
    syncer = build_syncer(sync, Metrics(stale_after=stale_after(s.interval)))
    # The first cycle before the port answers: a fresh database has the branch when the
    # first request comes. The daemon goes on in its thread.
    first = syncer.cycle()
    log.info("first sync: %s %s", first.status, first.to_commit or first.reason)
    return DaemonThread(syncer, s.interval).start()


def _announce(s: ServeSettings, ctx: ApiContext) -> None:
    keys = "no keys yet: reads and previews are open, edits need a key (promptsync keys add)" \
        if not ctx.keys.any() else f"keys from {Path(s.api.keys_file).resolve()}"
    log.info("serving %s of %s on http://%s:%d (docs: /docs); database %s; %s; daemon %s",
             s.api.ref, redact(s.api.server) if s.api.server else s.api.repo, s.host, s.port,
             redact(s.api.db_url), keys,
             "in this process" if s.sync else "elsewhere (--no-sync)")
    log.info("answering for the host names %s (others get 400; --allowed-host adds one)",
             ", ".join(s.api.allowed_hosts))
