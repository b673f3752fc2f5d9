"""Commit to live as a chat process sees it, at 600, 10,000 and 100,000 prompts.

    python bench/scale.py [--sizes 600 10000 100000] [--commits 20] [--translated 0.33]

For each size: a generated repository (every template different, a third of the prompts
translations, as bench/sync.py), a real `promptsync sync` process on PostgreSQL and Redis
(DATABASE_URL / REDIS_URL, else private servers) and a `PromptReader` in another process.

- first load: from starting the daemon to its first event on `promptsync:events` (the whole
  tree validated cold, one transaction, Redis), and the daemon's RSS after it;
- commit to reader: for each of --commits one-prompt commits, the time from the end of
  `git commit` to the reader process returning the new version (`get`, polled every 0.5 ms),
  p50 / p95, beside the `git commit` itself; and the same from the start of `git commit`.

Run from the repository root by hand; never in tests. Only promptsync:* keys are deleted from
a shared Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import redis  # noqa: E402

from bench.sync import (  # noqa: E402
    CHANGED,
    TRANSLATED,
    Databases,
    forget_promptsync,
    git,
    head,
    make_repo,
    published,
)
from tests.support.servers import RedisProcess  # noqa: E402

# The chat process: waits for {"brand", "type", "locale", "version"} on stdin, polls `get`
# until it answers that version, then prints the time (perf_counter: one clock for every
# process on Linux).
READER = r"""
import json, sys, time
from promptsync import PromptReader
reader = PromptReader(db_url=sys.argv[1], redis_url=sys.argv[2], service="bench")
print("ready", flush=True)
for line in sys.stdin:
    want = json.loads(line)
    while True:
        p = reader.get(want["brand"], want["type"], locale=want["locale"] or None)
        if p.version == want["version"] and p.locale == want["locale"]:
            break
        time.sleep(0.0005)
    print(time.perf_counter(), flush=True)
reader.close()
"""

@dataclass
class Figures:
    size: int
    first_load: float
    rss_mb: float
    after_git: list[float]
    from_start: list[float]
    git_only: list[float]

@contextmanager
def process(cmd: list[str], **kwargs: object) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT / "sync")},
                            text=True, **kwargs)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)

def measure(repo: Path, size: int, db: str, redis_url: str, commits: int) -> Figures:
    forget_promptsync(redis_url)
    client = redis.Redis.from_url(redis_url)
    sub = client.pubsub()
    sub.subscribe("promptsync:events")
    sub.get_message(timeout=1)
    daemon_cmd = [sys.executable, "-m", "promptsync", "sync", "--repo", str(repo), "--db", db,
                  "--redis", redis_url, "--interval", "30"]
    originals = {rel: (repo / rel).read_text() for rel in CHANGED if (repo / rel).exists()}
    after_git, from_start, git_only = [], [], []
    start = time.perf_counter()
    with process(daemon_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as daemon:
        published(sub, head(repo), 3600)
        first_load = time.perf_counter() - start
        rss = psutil.Process(daemon.pid).memory_info().rss / 2**20
        with process([sys.executable, "-c", READER, db, redis_url], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE) as reader:
            assert reader.stdin is not None and reader.stdout is not None
            assert reader.stdout.readline().strip() == "ready"
            for i in range(commits):
                rel = CHANGED[i % 2 if len(originals) == 2 else 0]
                version = i // 2 + 2 if len(originals) == 2 else i + 2
                (repo / rel).write_text(
                    originals[rel].replace("Hi ", f"Hi ({i}) ", 1)
                    .replace("\nversion: 1\n", f"\nversion: {version}\n", 1) + f"# {i}\n")
                git(repo, "add", rel)
                locale = "de" if rel.endswith(".de.yaml") else ""
                began = time.perf_counter()
                git(repo, "commit", "-q", "-m", f"change {i}")
                ended = time.perf_counter()
                reader.stdin.write(json.dumps({"brand": "brand-00000", "type": "greeting",
                                               "locale": locale, "version": version}) + "\n")
                reader.stdin.flush()
                seen = float(reader.stdout.readline())
                after_git.append(seen - ended)
                from_start.append(seen - began)
                git_only.append(ended - began)
                time.sleep(0.05)
            rss = max(rss, psutil.Process(daemon.pid).memory_info().rss / 2**20)
            reader.stdin.close()
    sub.close()
    client.close()
    return Figures(size, first_load, rss, after_git, from_start, git_only)

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]

def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"

def row(f: Figures) -> str:
    load = f"{f.first_load:.1f} s" if f.first_load >= 1 else ms(f.first_load)
    return (f"| {f.size:,} | {load} | {f.rss_mb:,.0f} MB | "
            f"{ms(statistics.median(f.after_git))} / {ms(pct(f.after_git, 0.95))} | "
            f"{ms(statistics.median(f.from_start))} / {ms(pct(f.from_start, 0.95))} | "
            f"{ms(statistics.median(f.git_only))} |")

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[600, 10000, 100000])
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--translated", type=float, default=TRANSLATED)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="promptsync-scale-"))
    dbs = Databases(tmp)
    rp = RedisProcess().start() if not os.environ.get("REDIS_URL") else None
    redis_url = os.environ.get("REDIS_URL") or (rp.url if rp else "")
    print(f"PostgreSQL + Redis, {args.commits} one-prompt commits, {os.cpu_count()} cores\n")
    print("| prompts | first load | daemon RSS | commit -> reader, p50 / p95 (after `git "
          "commit`) | from the start of `git commit` | `git commit` itself |")
    print("|--:|--:|--:|--:|--:|--:|")
    try:
        for size in args.sizes:
            repo = make_repo(tmp / f"repo-{size}", size, args.translated)
            figures = measure(repo, size, dbs.fresh("postgresql"), redis_url,
                              args.commits)
            print(row(figures), flush=True)
            shutil.rmtree(repo, ignore_errors=True)
    finally:
        if rp is not None:
            rp.close()
        dbs.close()
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()
