"""PUT-to-live: from the answer to a PUT that writes to main until a PromptReader in another
process serves the new version. (bench/api.py, the read-side bench, calls `put_to_live` for
its PUT-to-live row; this file runs it alone too.)

    python bench/api_write.py                    # private redis-server + SQLite in a temp dir
    python bench/api_write.py --no-redis         # SQLite only: the reader polls the generation
    python bench/api_write.py --db postgresql+psycopg://user@host/db   # an empty database
    python bench/api_write.py --git-server [--db URL]   # through a git server (README topology)

A real uvicorn serves the API with the real daemon in the same process, woken by each write
(what `promptsync serve --write-to main` runs); the reader process watches default/greeting
and stamps each new version with time.monotonic(), a clock all processes of a machine share.
Reported: the PUT's own latency (it waits for the daemon, at most 2 s) and PUT answer -> the
other process serving the version; p50, p90, max over the edits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api_write_server import run as through_git_server
from tests.api.edit_server import writing_api
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.support.servers import shared_redis

WATCHER = """
import sys, time
from promptsync import PromptReader
reader = PromptReader(db_url=sys.argv[1], redis_url=sys.argv[2] or None)
seen = None
print("ready", flush=True)
while True:
    p = reader.get("default", "greeting")
    if p.version != seen:
        seen = p.version
        print(p.version, time.monotonic(), flush=True)
    time.sleep(0.0005)
"""


@contextmanager
def watcher(db_url: str, redis_url: str | None) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-c", WATCHER, db_url, redis_url or ""],
                            stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait(10)


def seen_at(proc: subprocess.Popen[str], version: int) -> float:
    """The monotonic time at which the watcher first served `version`."""
    assert proc.stdout is not None
    for line in proc.stdout:
        served, when = line.split()
        if int(served) >= version:
            return float(when)
    raise RuntimeError("the reader process stopped")


def put_to_live(edits: int = 30, db_url: str | None = None,
                redis_url: str | None = None) -> dict[str, float]:
    """Seconds: p50/p90/max of the PUT itself and of PUT answer -> served in another process."""
    with tempfile.TemporaryDirectory(prefix="promptsync-bench-") as tmp:
        repo = GitRepo.init(Path(tmp) / "repo")
        db = db_url or f"sqlite:///{Path(tmp) / 'promptsync.db'}"
        assert sync_once(repo, db, redis_url) == 0
        puts, lives = [], []
        with writing_api(repo, db, Path(tmp) / "keys.json", redis_url=redis_url) as api, \
                watcher(db, redis_url) as proc:
            seen_at(proc, 1)
            for n in range(1, edits + 1):
                started = time.monotonic()
                response = api.server.client.put(
                    "/v1/prompts/default/greeting", headers={"Authorization": f"Bearer {api.key}"},
                    json={"version": n, "template": f"Hello #{n} from {{{{ brand_name }}}}!\n"})
                answered = time.monotonic()
                assert response.status_code == 201, response.text
                puts.append(answered - started)
                lives.append(max(0.0, seen_at(proc, n + 1) - answered))
    return {**_stats("put", puts), **_stats("put_answer_to_live", lives)}


def _stats(name: str, samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {f"{name}_p50": statistics.median(ordered),
            f"{name}_p90": ordered[int(0.9 * (len(ordered) - 1))], f"{name}_max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--db", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--git-server", action="store_true",
                        help="a git daemon, 3 `serve --no-sync --repo URL` processes and one "
                             "`sync --repo URL` daemon (Redis needed)")
    parser.add_argument("--burst", type=int, default=100,
                        help="--git-server: concurrent PUTs of different prompts (default 100)")
    args = parser.parse_args()
    if args.git_server:
        _through_git_server(args)
        return
    redis = nullcontext(None) if args.no_redis else shared_redis()
    with redis as redis_url:
        result = put_to_live(args.edits, args.db, redis_url)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'':28}{'p50':>10}{'p90':>10}{'max':>10}")
    for row in ("put", "put_answer_to_live"):
        cells = "".join(f"{result[f'{row}_{k}'] * 1000:>8.1f}ms" for k in ("p50", "p90", "max"))
        print(f"{row:28}{cells}")


def _through_git_server(args: argparse.Namespace) -> None:
    with shared_redis() as redis_url:
        result = through_git_server(args.db, redis_url, args.edits, args.burst)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"PUT -> served by a reader, through the git server: p50 "
          f"{result['put_to_live_p50'] * 1000:.0f} ms, "
          f"max {result['put_to_live_max'] * 1000:.0f} ms")
    for n in ("3_processes", "1_process"):
        print(f"{args.burst} concurrent PUTs of different prompts, {n.replace('_', ' ')}: "
              f"{result[f'distinct_{n}_s']:.1f} s ({result[f'puts_per_s_{n}']:.1f} PUTs/s)")


if __name__ == "__main__":
    main()
