"""Benchmark the reader's tiers beside what a caller would write by hand, on the same data.

    python bench/reader.py                      # private redis-server + SQLite in a temp dir
    python bench/reader.py --db postgresql+psycopg://user@host/db   # an empty database
    REDIS_URL=redis://host:6379/0 python bench/reader.py

For each tier: p50, p99 and single-thread throughput of the reader, then of its raw peer
(redis-py GET of the same key, a SQL SELECT of the same row on a kept-open connection, a bare
jinja2 Template.render of the same template). The memory and Redis tiers also run beside the
same reader with its fleet report off (`report=False`): the report must not cost a read. A get
with a locale (answered by a translation, or by a language fallback) runs beside the same get
without one, and a get with a subject (a prompt running two variants: hash, bisect, count)
beside the same get without. Reader and peer run in
alternating blocks, so noise from other processes hits both alike. Sub-microsecond calls are
timed in batches.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jinja2
import redis
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from promptsync import PromptReader, PromptType
from promptsync.cache.protocol import prompt_key
from promptsync.defaults import builtin
from promptsync.store.models import Base
from tests.support.publisher import Publisher
from tests.support.servers import shared_redis

TYPE = PromptType.SYSTEM_PROMPT
VARIED = PromptType.GREETING
CONTEXT = {"brand_name": "Acme Outfitters", "user_name": "Dana"}
SELECT = ("SELECT brand, version, template, variables, commit_sha FROM prompts"
          " WHERE brand = {p} AND type = {p}")


def timed(fn: Callable[[], Any], calls: int, batch: int) -> list[float]:
    """Seconds per call, one sample per batch of `batch` calls."""
    out = []
    clock = time.perf_counter
    for _ in range(calls // batch):
        start = clock()
        for _ in range(batch):
            fn()
        out.append((clock() - start) / batch)
    return out


def compare(mine: Callable[[], Any], peer: Callable[[], Any], calls: int,
            batch: int) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    for _ in range(10):  # alternate blocks: background noise lands on both sides
        a += timed(mine, calls // 10, batch)
        b += timed(peer, calls // 10, batch)
    return a, b


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50 * 1e6, p99 * 1e6, 1 / statistics.fmean(ordered)


def seed(db_url: str, redis_url: str) -> Publisher:
    """Empty stores, then brand acme's prompt of the bench type published as generation 1."""
    engine = create_engine(db_url)
    Base.metadata.drop_all(engine)
    engine.dispose()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    publisher = Publisher(db_url, redis_url)
    publish(publisher, 1)
    source = builtin(TYPE)
    publisher.apply({f"acme/{TYPE.slug}.de": (source.template, 1)},
                    {k: dict(v) for k, v in source.variables.items()}, base_language="en")
    greeting = builtin(VARIED)  # runs two variants: the reads with a subject
    publisher.apply({f"acme/{VARIED.slug}": (greeting.template, 1)},
                    {k: dict(v) for k, v in greeting.variables.items()}, variants=[
                        {"name": "warm", "weight": 30, "template": "Hey {{ brand_name }}!",
                         "description": ""},
                        {"name": "short", "weight": 20, "template": "{{ brand_name }}.",
                         "description": ""}])
    return publisher


def publish(publisher: Publisher, version: int) -> None:
    """One commit changing acme's prompt to `version`, applied and published as the daemon
    does it (rows and generation in one transaction, then the daemon's Invalidator)."""
    source = builtin(TYPE)
    publisher.apply({f"acme/{TYPE.slug}": (source.template, version)},
                    {k: dict(v) for k, v in source.variables.items()})


def propagation(publisher: Publisher, reader: PromptReader, commits: int = 50) -> list[float]:
    """Seconds from a commit's publication to `get` returning it."""
    delays = []
    version = reader.get("acme", TYPE).version
    for _ in range(commits):
        version += 1
        publish(publisher, version)
        start = time.perf_counter()
        while reader.get("acme", TYPE).version != version:
            time.sleep(0.0001)
        delays.append(time.perf_counter() - start)
        time.sleep(0.01)
    return delays


def raw_select(db_url: str) -> Callable[[], Any]:
    """The hand-written peer: a kept-open DB-API connection and one SELECT."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn: Any = sqlite3.connect(url.database or "", check_same_thread=False)
        sql = SELECT.format(p="?")
    else:
        import psycopg

        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
        conn.autocommit = True
        sql = SELECT.format(p="%s")

    def run() -> Any:
        cur = conn.cursor()
        cur.execute(sql, ("acme", TYPE.value))
        row = cur.fetchone()
        cur.close()
        return row

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL of an empty database (default: SQLite)")
    parser.add_argument("--calls", type=int, default=20_000, help="calls per fast tier")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, shared_redis() as redis_url:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        publisher = seed(db_url, redis_url)
        try:
            rows = run_all(publisher, db_url, redis_url, args.calls)
        finally:
            publisher.close()
    print_table(rows, db_url)
    return 0


def run_all(publisher: Publisher, db_url: str, redis_url: str,
            calls: int) -> list[tuple[str, Any, str, Any, str]]:
    memory = PromptReader(db_url=db_url, redis_url=redis_url)  # reports to the fleet
    quiet = PromptReader(db_url=db_url, redis_url=redis_url, report=False)
    quiet_redis = PromptReader(db_url=db_url, redis_url=redis_url, memory=False, report=False)
    # No Redis (the embedded default): memory follows the database's generation.
    polling = PromptReader(db_url=db_url)
    via_redis = PromptReader(db_url=db_url, redis_url=redis_url, memory=False)
    via_db = PromptReader(db_url=db_url, memory=False)
    deadline = time.monotonic() + 10
    while memory.get("acme", TYPE).source != "memory" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert memory.get("acme", TYPE).source == "memory", "subscription did not come up"
    while quiet.get("acme", TYPE).source != "memory" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert quiet_redis.get("acme", TYPE).source in ("db", "redis")
    assert polling.get("acme", TYPE).source == "db"
    assert polling.get("acme", TYPE).source == "memory"
    assert via_redis.get("acme", TYPE).source in ("db", "redis")
    assert via_redis.get("acme", TYPE).source == "redis"
    assert via_db.get("acme", TYPE).source == "db"
    german = memory.get("acme", TYPE, locale="de-CH")
    assert (german.locale, memory.get("acme", TYPE, locale="de-CH").source) == ("de", "memory")
    via_redis.get("acme", TYPE, locale="de-CH")  # cached in Redis under its own key
    assert via_redis.get("acme", TYPE, locale="de-CH").source == "redis"
    memory.get("acme", TYPE, locale="fr")  # a language fallback, logged once here
    memory.get("acme", VARIED)
    assert memory.get("acme", VARIED, subject="user-42").source == "memory"

    client = redis.Redis.from_url(redis_url)
    key = prompt_key("acme", TYPE)
    bare = jinja2.Template(builtin(TYPE).template)
    prompt = memory.get("acme", TYPE)
    assert memory.render("acme", TYPE, CONTEXT) == bare.render(CONTEXT)
    select = raw_select(db_url)
    slow = max(calls // 10, 1000)
    rows = [
        ("memory get", compare(lambda: memory.get("acme", TYPE), lambda: {}.get(key),
                               calls * 5, 100), "dict.get (floor)", "< 2 µs p50"),
        ("memory get, locale", compare(lambda: memory.get("acme", TYPE, locale="de-CH"),
                                       lambda: memory.get("acme", TYPE), calls * 5, 100),
         "memory get", "<= 1.5x"),
        ("memory get, fallback", compare(lambda: memory.get("acme", TYPE, locale="fr"),
                                         lambda: memory.get("acme", TYPE), calls * 5, 100),
         "memory get", "(counted)"),
        ("memory get, subject", compare(lambda: memory.get("acme", VARIED, subject="user-42"),
                                        lambda: memory.get("acme", VARIED), calls * 5, 100),
         "memory get", "<= 1.5x"),
        ("memory get, fleet on", compare(lambda: memory.get("acme", TYPE),
                                         lambda: quiet.get("acme", TYPE), calls * 5, 100),
         "fleet off", "within 5%"),
        ("no-Redis memory get", compare(lambda: polling.get("acme", TYPE),
                                         lambda: {}.get(key), calls * 5, 100),
         "dict.get (floor)", "< 2 µs p50"),
        ("redis get", compare(lambda: via_redis.get("acme", TYPE), lambda: client.get(key),
                              slow, 1), "redis-py GET", "<= 1.3x"),
        ("redis get, fleet on", compare(lambda: via_redis.get("acme", TYPE),
                                        lambda: quiet_redis.get("acme", TYPE), slow, 1),
         "fleet off", "within 5%"),
        ("db get", compare(lambda: via_db.get("acme", TYPE), select, slow, 1),
         "raw SELECT", "-"),
        ("redis get, locale", compare(lambda: via_redis.get("acme", TYPE, locale="de-CH"),
                                      lambda: via_redis.get("acme", TYPE), slow, 1),
         "redis get", "-"),
        ("db get, locale", compare(lambda: via_db.get("acme", TYPE, locale="de-CH"),
                                   lambda: via_db.get("acme", TYPE), slow, 1),
         "db get", "-"),
        ("render (get+render)", compare(lambda: memory.render("acme", TYPE, CONTEXT),
                                        lambda: bare.render(CONTEXT), calls, 20),
         "Template.render", "<= 1.2x"),
        ("render step only", compare(lambda: memory.render_prompt(prompt, CONTEXT),
                                     lambda: bare.render(CONTEXT), calls, 20),
         "Template.render", "<= 1.2x"),
    ]
    delays = propagation(publisher, memory)
    rows.append(("commit -> get", (delays, delays), "(none)", "< 100 ms"))
    delays = propagation(publisher, polling)
    rows.append(("no-Redis commit->get", (delays, delays), "(none)", "< 100 ms"))
    for reader in (memory, quiet, quiet_redis, polling, via_redis, via_db):
        reader.close()
    client.close()
    return [(name, summary(a), peer, summary(b), target) for name, (a, b), peer, target in rows]


def print_table(rows: list[tuple[str, Any, str, Any, str]], db_url: str) -> None:
    print(f"database: {make_url(db_url).get_backend_name()}   python {sys.version.split()[0]}")
    head = (f"{'tier':<20} {'p50 µs':>8} {'p99 µs':>8} {'ops/s':>10}   {'peer':<17}"
            f" {'p50 µs':>8} {'p99 µs':>8} {'ops/s':>10} {'p50 ratio':>9}  target")
    print(head)
    print("-" * len(head))
    for name, (p50, p99, ops), peer, (q50, q99, qops), target in rows:
        ratio = p50 / q50 if q50 else float("nan")
        if peer == "(none)":
            print(f"{name:<20} {p50:>8.0f} {p99:>8.0f} {'':>10}   {'':<17} {'':>8} {'':>8}"
                  f" {'':>10} {'':>9}  {target}")
            continue
        shown = "-" if peer.startswith("dict") else f"{ratio:.2f}x"
        print(f"{name:<20} {p50:>8.2f} {p99:>8.2f} {ops:>10,.0f}   {peer:<17}"
              f" {q50:>8.2f} {q99:>8.2f} {qops:>10,.0f} {shown:>9}  {target}")
    print(json.dumps({name: {"p50_us": round(r[0], 3), "p99_us": round(r[1], 3)}
                      for name, r, *_ in rows}))


if __name__ == "__main__":
    raise SystemExit(main())
