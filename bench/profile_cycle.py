"""Profile the daemon's work in-process: the first full load, then one-prompt commit cycles.

    python bench/profile_cycle.py [--size 10000] [--commits 10] [--top 25] [--load]

A generated repository (as bench/scale.py), a `Syncer` on PostgreSQL and Redis (DATABASE_URL /
REDIS_URL, else private servers), the first cycle unprofiled (or profiled with --load), then
--commits one-prompt commits each followed by one cycle under cProfile. Prints the time per
cycle and the top of the profile by own time and by cumulative time. Run by hand.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sync import CHANGED, TRANSLATED, Databases, forget_promptsync, git, make_repo  # noqa: E402
from promptsync.cache.invalidate import Invalidator  # noqa: E402
from promptsync.daemon.source import GitSource  # noqa: E402
from promptsync.daemon.syncer import Syncer  # noqa: E402
from promptsync.store.engine import make_engine  # noqa: E402
from promptsync.store.migrate import upgrade  # noqa: E402
from tests.support.servers import RedisProcess  # noqa: E402


def run(repo: Path, db: str, redis_url: str, commits: int, top: int, load: bool) -> None:
    engine = make_engine(db)
    upgrade(engine)
    forget_promptsync(redis_url)
    syncer = Syncer(GitSource(str(repo)), "main", engine, Invalidator(redis_url))
    with syncer.source.kept():  # as the daemon's loop runs its cycles
        cycles(syncer, repo, commits, top, load)
    engine.dispose()


def cycles(syncer: Syncer, repo: Path, commits: int, top: int, load: bool) -> None:
    profile = cProfile.Profile()
    start = time.perf_counter()
    if load:
        profile.enable()
    assert syncer.cycle().status == "applied"
    profile.disable()
    print(f"first load: {time.perf_counter() - start:.2f} s")
    originals = {rel: (repo / rel).read_text() for rel in CHANGED if (repo / rel).exists()}
    took = []
    for i in range(commits):
        rel = CHANGED[i % len(originals)]
        (repo / rel).write_text(originals[rel].replace("Hi ", f"Hi ({i}) ", 1).replace(
            "\nversion: 1\n", f"\nversion: {i // len(originals) + 2}\n", 1))
        git(repo, "commit", "-qam", f"change {i}")
        start = time.perf_counter()
        if not load:
            profile.enable()
        outcome = syncer.cycle()
        profile.disable()
        took.append(time.perf_counter() - start)
        assert outcome.status == "applied", outcome
    print(f"one-prompt cycle: median {statistics.median(took) * 1000:.1f} ms, "
          f"max {max(took) * 1000:.1f} ms over {commits}")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--commits", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--load", action="store_true", help="profile the first load instead")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="promptsync-profile-"))
    dbs = Databases(tmp)
    rp = RedisProcess().start() if not os.environ.get("REDIS_URL") else None
    try:
        repo = make_repo(tmp / "repo", args.size, TRANSLATED)
        run(repo, dbs.fresh("postgresql"), os.environ.get("REDIS_URL") or
            (rp.url if rp else ""), args.commits, args.top, args.load)
    finally:
        if rp is not None:
            rp.close()
        dbs.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
