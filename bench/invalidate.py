"""Benchmark the daemon's Redis publish of a one-prompt commit against how many entries Redis
holds, beside its raw peer on the same server.

    python bench/invalidate.py                       # a private redis-server
    python bench/invalidate.py --sizes 600 10000 100000
    REDIS_URL=redis://host:6379/0 python bench/invalidate.py   # uses (and empties) db 9 there

For each size, readers' entries are written through the reader's own write path (one entry per
(brand, type), a German one for a third of them), then `Invalidator.publish` of a one-prompt
commit (raise the generation, delete the keys it reaches, publish the event, record it) runs in
alternating blocks with its peer: a raw redis-py SET of the generation, DEL of the prompt's key
and PUBLISH, three round trips. A commit's publish should cost what it changes, not what Redis
holds: the ratio of the largest size to the smallest is printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))

import redis

from promptsync.cache.invalidate import Invalidator
from promptsync.cache.protocol import prompt_key
from promptsync.model import PromptId, PromptType
from promptsync.reader.redis_tier import RedisTier
from promptsync.record import Prompt, freeze_variables
from tests.support.servers import shared_redis

TYPES = list(PromptType)
ROUNDS = 30


def fill(url: str, entries: int) -> None:
    tier = RedisTier(url, 5.0)
    try:
        for n in range(entries):
            brand, type_ = f"brand{n // len(TYPES):05d}", TYPES[n % len(TYPES)]
            prompt = Prompt(brand, type_, "x" * 200, 1, "c" * 40, "db", freeze_variables({}), 1)
            tier.store(brand, prompt)
            if n % 3 == 0:
                tier.store(brand, prompt, "de")
    finally:
        tier.close()


def measure(url: str, entries: int) -> tuple[float, float, float, int]:
    client = redis.Redis.from_url(url)
    client.flushdb()
    fill(url, entries)
    held = int(client.dbsize())
    invalidator = Invalidator(url)
    pid = PromptId("brand00000", TYPES[0])
    key = prompt_key(pid.brand, pid.type)
    ours: list[float] = []
    peer: list[float] = []
    try:
        for generation in range(2, 2 + ROUNDS):
            started = time.perf_counter()
            invalidator.publish("c" * 40, generation, [pid])
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.set("bench:gen", generation)
            client.delete(key)
            client.publish("bench:events", "{}")
            peer.append(time.perf_counter() - started)
    finally:
        invalidator.close()
        client.flushdb()
        client.close()
    ours.sort()
    return (statistics.median(ours) * 1e3, ours[int(len(ours) * 0.95) - 1] * 1e3,
            statistics.median(peer) * 1e3, held)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[600, 10_000, 100_000])
    args = parser.parse_args()
    with shared_redis() as base_url:
        url = base_url.rsplit("/", 1)[0] + "/9"
        print("| prompts | keys in Redis | publish p50 / p95 | raw SET+DEL+PUBLISH p50 | ratio |")
        print("|--:|--:|--:|--:|--:|")
        p50s = []
        for size in args.sizes:
            p50, p95, peer, held = measure(url, size)
            p50s.append(p50)
            print(f"| {size:,} | {held:,} | {p50:.2f} / {p95:.2f} ms | {peer:.2f} ms | "
                  f"{p50 / peer:.2f}x |", flush=True)
        print(f"largest / smallest p50: {p50s[-1] / p50s[0]:.2f}x")


if __name__ == "__main__":
    main()
