"""Benchmark the fleet: 200 readers (threads, each with its own PromptReader, subscriber and
heartbeat) on one Redis, then publishes.

    python bench/fleet.py                  # private redis-server + SQLite in a temp dir
    python bench/fleet.py --readers 50 --publishes 10
    REDIS_URL=redis://host:6379/0 python bench/fleet.py

Measures how long `promptsync fleet` takes to answer (the command as a process, and the read
and judgement alone), and after each publish how long each reader took to report the new
generation (its pick-up, on the Redis server's clock) and the fleet to converge (the last one).
The readers run as threads spread over a few worker processes (--processes), so they share
those processes' GILs and this machine's cores with each other and with their chat traffic: a
pessimistic fleet next to 200 processes on cores of their own.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis

from promptsync import PromptReader, PromptType
from promptsync.defaults import builtin
from promptsync.fleet.view import Fleet, read
from tests.support.publisher import Publisher
from tests.support.servers import shared_redis

TYPE = PromptType.GREETING
FORK = multiprocessing.get_context("fork")


def publish(publisher: Publisher, version: int) -> int:
    source = builtin(TYPE)
    return publisher.apply({f"acme/{TYPE.slug}": (source.template, version)},
                           {k: dict(v) for k, v in source.variables.items()})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def host_readers(n: int, first: int, db_url: str, redis_url: str, stop: Any) -> None:
    """One worker process: `n` readers, each with a thread of chat traffic."""
    readers = [PromptReader(db_url=db_url, redis_url=redis_url, service=f"svc-{i % 4}")
               for i in range(first, first + n)]

    def traffic(reader: PromptReader) -> None:  # a chat service's reads, ~10 per second
        while not stop.is_set():
            reader.get("acme", TYPE)
            stop.wait(0.1)

    threads = [threading.Thread(target=traffic, args=(r,), daemon=True) for r in readers]
    for thread in threads:
        thread.start()
    stop.wait()
    for reader in readers:
        reader.close()


def start_readers(n: int, processes: int, db_url: str, redis_url: str,
                  stop: Any) -> list[Any]:
    """`n` readers as threads, spread over `processes` worker processes (one interpreter's
    GIL for all 200 would measure the GIL, not the fleet)."""
    share = [n // processes + (1 if i < n % processes else 0) for i in range(processes)]
    workers = [FORK.Process(target=host_readers,
                            args=(k, sum(share[:i]), db_url, redis_url, stop))
               for i, k in enumerate(share)]
    for worker in workers:
        worker.start()
    return workers


def wait_for(client: redis.Redis, check, timeout: float = 60.0) -> Fleet:
    deadline = time.monotonic() + timeout
    while True:
        fleet = read(client)
        if check(fleet):
            return fleet
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {fleet.summary()}")
        time.sleep(0.02)


def time_command(redis_url: str, args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "promptsync", *args],
                              env=env, capture_output=True, text=True)
        took.append(time.perf_counter() - start)
        assert proc.returncode in (0, 1), proc.stderr
    return took


def time_read(client: redis.Redis, runs: int) -> list[float]:
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        read(client)
        took.append(time.perf_counter() - start)
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4,
                        help="worker processes the reader threads are spread over")
    args = parser.parse_args(argv)
    stop = FORK.Event()
    with tempfile.TemporaryDirectory() as tmp, shared_redis() as redis_url:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        publisher = Publisher(db_url, redis_url)
        publish(publisher, 1)
        workers = start_readers(args.readers, args.processes, db_url, redis_url, stop)
        try:
            wait_for(client, lambda f: len(f.live) == args.readers and not f.stale
                     and all(r.state == "synced" for r in f.live))
            command = time_command(redis_url, ["fleet", "--redis", redis_url], 5)
            floor = time_command(redis_url, ["--version"], 5)
            reads = time_read(client, 20)
            pickups: list[float] = []
            converged: list[float] = []
            for version in range(2, args.publishes + 2):
                generation = publish(publisher, version)
                fleet = wait_for(client, lambda f, g=generation: f.published.generation == g
                                 and f.convergence is not None)
                pickups += [r.picked_up_after for r in fleet.live
                            if r.picked_up_after is not None]
                converged.append(fleet.convergence or 0.0)
                time.sleep(0.2)
            summary = read(client).summary()
        finally:
            stop.set()
            for worker in workers:
                worker.join(60)
            publisher.close()
            client.close()
    print(f"{args.readers} readers (threads in {args.processes} processes), {args.publishes} "
          f"publishes; python {sys.version.split()[0]}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"promptsync fleet, the command:  p50 {statistics.median(command) * 1000:.0f} ms, "
          f"max {max(command) * 1000:.0f} ms (target < 1 s); `promptsync --version`: p50 "
          f"{statistics.median(floor) * 1000:.0f} ms")
    print(f"fleet read and judgement alone: p50 {statistics.median(reads) * 1000:.1f} ms, "
          f"max {max(reads) * 1000:.1f} ms")
    print(f"pick-up per reader ({len(pickups)}): p50 {statistics.median(pickups) * 1000:.1f} ms, "
          f"p99 {percentile(pickups, 0.99) * 1000:.1f} ms, max {max(pickups) * 1000:.1f} ms")
    print(f"convergence per publish (the last reader): p50 "
          f"{statistics.median(converged) * 1000:.1f} ms, p99 "
          f"{percentile(converged, 0.99) * 1000:.1f} ms, max {max(converged) * 1000:.1f} ms")
    print(f"last summary: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
