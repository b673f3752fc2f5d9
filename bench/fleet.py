"""Benchmark the fleet: 200 readers (threads, each with its own PromptReader, subscriber and
heartbeat) on one Redis, then publishes.

    python bench/fleet.py                  # private redis-server + SQLite in a temp dir
    python bench/fleet.py --readers 50 --publishes 10
    REDIS_URL=redis://host:6379/0 python bench/fleet.py

Measures how long `promptsync fleet` takes to answer (the command as a process, and the read
and judgement alone), and after each publish how long each reader took to report the new
generation (its pick-up, on the Redis server's clock) and the fleet to converge (the last one).
Every reader runs in this one process, so they share its GIL with each other and with the
readers' traffic: a pessimistic fleet next to 200 processes on their own cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis

from promptsync import PromptReader, PromptType
from promptsync.defaults import builtin
from promptsync.fleet.view import Fleet, read
from tests.support.publisher import Publisher
from tests.support.servers import shared_redis

TYPE = PromptType.GREETING


def publish(publisher: Publisher, version: int) -> int:
    source = builtin(TYPE)
    return publisher.apply({f"acme/{TYPE.slug}": (source.template, version)},
                           {k: dict(v) for k, v in source.variables.items()})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def start_readers(n: int, db_url: str, redis_url: str,
                  stop: threading.Event) -> list[PromptReader]:
    readers = [PromptReader(db_url=db_url, redis_url=redis_url, service=f"svc-{i % 4}")
               for i in range(n)]

    def traffic(reader: PromptReader) -> None:  # a chat service's reads, ~100 per second
        while not stop.is_set():
            reader.get("acme", TYPE)
            stop.wait(0.01)

    for reader in readers:
        threading.Thread(target=traffic, args=(reader,), daemon=True).start()
    return readers


def wait_for(client: redis.Redis, check, timeout: float = 60.0) -> Fleet:
    deadline = time.monotonic() + timeout
    while True:
        fleet = read(client)
        if check(fleet):
            return fleet
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {fleet.summary()}")
        time.sleep(0.02)


def time_command(redis_url: str, runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "promptsync", "fleet", "--redis", redis_url],
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
    args = parser.parse_args(argv)
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp, shared_redis() as redis_url:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        publisher = Publisher(db_url, redis_url)
        publish(publisher, 1)
        readers = start_readers(args.readers, db_url, redis_url, stop)
        try:
            wait_for(client, lambda f: len(f.live) == args.readers and not f.stale
                     and all(r.state == "synced" for r in f.live))
            command = time_command(redis_url, 5)
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
            for reader in readers:
                reader.close()
            publisher.close()
            client.close()
    print(f"{args.readers} readers (threads of one process), {args.publishes} publishes; "
          f"python {sys.version.split()[0]}")
    print(f"promptsync fleet, the command:  p50 {statistics.median(command) * 1000:.0f} ms, "
          f"max {max(command) * 1000:.0f} ms (target < 1 s)")
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
