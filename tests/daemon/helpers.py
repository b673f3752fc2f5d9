"""Shared helpers of the daemon tests: run the real command, read the real tables."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, text

from promptsync.cli.main import main
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

GREETING = "prompts/northwind/greeting.yaml"
HANDOFF = "prompts/northwind/handoff.yaml"
BROKEN_TEMPLATE = "template: |\n  Hi {{ user_name \n"


def sync_once(repo: GitRepo | str, db: str, redis_url: str | None = None,
              *extra: str) -> int:
    args = ["sync", "--once", "--repo", str(getattr(repo, "path", repo)), "--db", db]
    if redis_url:
        args += ["--redis", redis_url]
    return main([*args, *extra])


def query(db: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def execute(db: str, sql: str, **params: Any) -> None:
    """One statement in its own transaction (a test setting up the tables' history)."""
    engine = create_engine(db)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def state(db: str) -> tuple[str | None, int]:
    row = query(db, "SELECT commit_sha, generation FROM sync_state WHERE id = 1")[0]
    return row["commit_sha"], row["generation"]


def live(db: str) -> dict[str, tuple[int, str]]:
    """{'northwind/greeting': (version, commit_sha)} of every live prompt; a translation's key
    ends in its locale, like its id ('northwind/greeting.de')."""
    rows = query(db, "SELECT brand, type, locale, version, commit_sha FROM prompts")
    return {f"{r['brand']}/{r['type'].lower()}" + (f".{r['locale']}" if r["locale"] else ""):
            (r["version"], r["commit_sha"]) for r in rows}


def runs(db: str) -> list[dict[str, Any]]:
    return query(db, "SELECT * FROM sync_runs ORDER BY id")


def versions(db: str) -> list[dict[str, Any]]:
    return query(db, "SELECT brand, type, version, action, commit_sha, generation "
                     "FROM prompt_versions ORDER BY id")


def redis_gen(url: str) -> int | None:
    client = redis.Redis.from_url(url, socket_timeout=0.5)
    try:
        value = client.get("promptsync:gen")
        return None if value is None else int(value)
    finally:
        client.close()


def wait_until(predicate: Callable[[], object], timeout: float = 10.0,
               interval: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:  # a server coming back up may refuse for a moment
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        time.sleep(interval)


def metric(port: int, name: str) -> float:
    """One sample of a daemon's /metrics on `port` (`name` with its labels); 0 when absent."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[-1])
    return 0.0


def tree_versions(repo: GitRepo) -> dict[str, int]:
    """The version of every prompt file in the work tree (what the db should hold)."""
    out: dict[str, int] = {}
    for path in sorted((repo.path / "prompts").glob("*/*.yaml")):
        for line in path.read_text().splitlines():
            if line.startswith("version:"):
                out[f"{path.parent.name}/{path.stem}"] = int(line.split(":")[1])
    return out


def read_event(pubsub: Any, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if msg is not None:
            return dict(json.loads(msg["data"]))
    raise AssertionError("no event published")


def bump_greeting(repo: GitRepo, word: str) -> str:
    # Each call edits the text (one word more before "guide"), not only the version.
    repo.bump(GREETING, " guide", f" {word} guide")
    return repo.commit(f"Greeting: {word}")


def break_greeting(repo: GitRepo, message: str = "Break the greeting") -> str:
    """Commit a greeting whose template does not parse; the commit's SHA."""
    repo.write(GREETING, repo.read(GREETING).split("template: |")[0] + BROKEN_TEMPLATE)
    return repo.commit(message)


def project_path(rel: str) -> Path:
    return PROJECT_ROOT / rel


class RunningDaemon:
    """A real Daemon (watcher, loop, syncer) in a thread of the test process."""

    def __init__(self, location: str, db: str, redis_url: str | None = None,
                 interval: float = 10.0, cache_dir: Path | None = None, **kw: Any) -> None:
        import threading

        from promptsync.cache.invalidate import Invalidator
        from promptsync.daemon.loop import Daemon
        from promptsync.daemon.source import GitSource
        from promptsync.daemon.syncer import Syncer
        from promptsync.store.engine import make_engine

        invalidator = Invalidator(redis_url) if redis_url else None
        self.syncer = Syncer(GitSource(location, cache_dir), "main", make_engine(db),
                             invalidator, **kw)
        self.daemon = Daemon(self.syncer, interval=interval)
        self.cycles = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.cycles = self.daemon.run()

    def __enter__(self) -> RunningDaemon:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.daemon.request_stop()
        self.thread.join(15)
        assert not self.thread.is_alive(), "daemon did not stop"
        self.syncer.engine.dispose()
        if self.syncer.invalidator is not None:
            self.syncer.invalidator.close()
