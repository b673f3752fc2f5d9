"""Benchmark the HTTP API beside a bare endpoint of the same app, in the same run.

    python bench/api.py                 # a temporary repository and SQLite database
    python bench/api.py --requests 4000

The server (uvicorn, the real app of `promptsync serve` plus a plain Starlette route `/bare`
that returns a constant: the floor) runs in its own process; the client is httpx over
keep-alive connections, at concurrency 1 (one client) and 32 (32 threads, each with its own
connection). Endpoints run in alternating rounds, so noise from other processes hits each
alike. Reported: p50 and p99 latency per request and requests per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

GET = "/v1/prompts/northwind/greeting"
PREVIEW = "/v1/prompts/northwind/greeting/preview"
PREVIEW_BODY = {"sample": "first visit"}
ROUNDS = 5


def serve(repo: Path, db: str, port: int) -> None:
    """The server process: the API app with the floor route added, on uvicorn configured as
    `promptsync serve` configures it."""
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse

    from promptsync.api.app import create_app
    from promptsync.api.connections import GuardedServer, guarded_config
    from tests.api.server import make_context

    async def bare(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = create_app(make_context(repo, db, repo.parent / "keys.json"))
    app.router.add_route("/bare", bare)
    GuardedServer(guarded_config(app, host="127.0.0.1", port=port, log_level="warning",
                                 access_log=False)).run()


def prepare(tmp: Path) -> tuple[Path, str]:
    from tests.daemon.helpers import sync_once
    from tests.support.gitrepo import GitRepo

    for name, value in (("GIT_AUTHOR_NAME", "Bench"), ("GIT_AUTHOR_EMAIL", "b@example.com"),
                        ("GIT_COMMITTER_NAME", "Bench"), ("GIT_COMMITTER_EMAIL", "b@example.com")):
        os.environ.setdefault(name, value)
    repo = GitRepo.init(tmp / "repo")
    db = f"sqlite:///{tmp / 'promptsync.db'}"
    if sync_once(repo, db) != 0:
        raise SystemExit("the sync of the benchmark's repository failed")
    return repo.path, db


Call = Callable[[httpx.Client], httpx.Response]
CALLS: dict[str, Call] = {
    "bare (floor)": lambda c: c.get("/bare"),
    "GET prompt": lambda c: c.get(GET),
    "POST preview": lambda c: c.post(PREVIEW, json=PREVIEW_BODY),
}


def one_client(url: str, call: Call, n: int) -> tuple[list[float], float]:
    with httpx.Client(base_url=url) as client:
        for _ in range(50):
            call(client).raise_for_status()
        times = []
        start = time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            call(client).raise_for_status()
            times.append(time.perf_counter() - t)
        return times, time.perf_counter() - start


def many_clients(url: str, call: Call, n: int, concurrency: int) -> tuple[list[float], float]:
    """`concurrency` threads, each with its own keep-alive connection (httpx's asyncio pool
    was the bottleneck at 32: fewer requests per second than one client)."""
    clients = [httpx.Client(base_url=url) for _ in range(concurrency)]
    try:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda c: [call(c).raise_for_status() for _ in range(10)], clients))
            start = time.perf_counter()
            parts = list(pool.map(lambda c: _timed(c, call, n // concurrency), clients))
            took = time.perf_counter() - start
    finally:
        for client in clients:
            client.close()
    return [t for part in parts for t in part], took


def _timed(client: httpx.Client, call: Call, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        call(client).raise_for_status()
        times.append(time.perf_counter() - t)
    return times


def measure(url: str, requests: int) -> dict[tuple[str, int], tuple[list[float], float]]:
    results: dict[tuple[str, int], tuple[list[float], float]] = {}
    for _ in range(ROUNDS):
        for name, call in CALLS.items():
            for concurrency in (1, 32):
                if concurrency == 1:
                    times, took = one_client(url, call, requests // ROUNDS)
                else:
                    times, took = many_clients(url, call, requests // ROUNDS, concurrency)
                kept = results.setdefault((name, concurrency), ([], 0.0))
                results[(name, concurrency)] = (kept[0] + times, kept[1] + took)
    return results


def table(results: dict[tuple[str, int], tuple[list[float], float]]) -> str:
    lines = ["| endpoint | concurrency | p50 | p99 | requests/s | p50 vs floor |",
             "|---|---:|---:|---:|---:|---:|"]
    for (name, concurrency), (times, took) in sorted(results.items(),
                                                     key=lambda kv: (kv[0][1], kv[0][0])):
        ordered = sorted(times)
        p50 = statistics.median(ordered)
        p99 = ordered[int(len(ordered) * 0.99) - 1]
        floor = statistics.median(results[("bare (floor)", concurrency)][0])
        lines.append(f"| {name} | {concurrency} | {p50 * 1000:.2f} ms | {p99 * 1000:.2f} ms | "
                     f"{len(times) / took:,.0f} | {p50 / floor:.2f}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000,
                        help="requests per endpoint and concurrency (default 3000)")
    parser.add_argument("--serve", nargs=3, metavar=("REPO", "DB", "PORT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), args.serve[1], int(args.serve[2]))
        return
    from tests.support.servers import free_port

    with tempfile.TemporaryDirectory(prefix="promptsync-bench-api-") as tmp:
        repo, db = prepare(Path(tmp))
        port = free_port()
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(repo), db,
                                   str(port)])
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, server)
            print(table(measure(url, args.requests)))
        finally:
            server.terminate()
            server.wait(30)


def _wait(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/bare", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
