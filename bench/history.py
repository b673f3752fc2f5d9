"""Time `promptsync history` on long logs beside the bare `git log` it is built on.

    python bench/history.py [--sizes 1000 10000 100000] [--repeat 3]

Each repository is written by `git fast-import`: N commits, each editing one of 25 brands'
greeting (so each prompt has N/25 versions). promptsync runs as a user runs it (a fresh process,
JSON out), for the whole history and for one prompt; the peer is the one `git log --raw` over
prompts/ that history starts from, with no version read from any blob. Best of --repeat runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.validate import best_of  # noqa: E402
from tests.support.editing import fast_import  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ours = [sys.executable, "-m", "promptsync", "history", "--repo", ".", "--format", "json"]
    peer = ["git", "log", "--raw", "--no-abbrev", "--format=%H%x00%an%x00%ae%x00%aI%x00%B",
            "--", "prompts"]
    print("| commits | history, all prompts | history, one prompt | peer: `git log --raw` "
          "| ratio (all) | changes listed |")
    print("|--:|--:|--:|--:|--:|--:|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
            repo = Path(tmp) / "repo"
            fast_import(repo, size)
            every, out = best_of(ours, args.repeat, repo)
            listed = out.count('"commit"')
            one, _ = best_of([*ours, "brand-7/greeting"], args.repeat, repo)
            raw, _ = best_of(peer, args.repeat, repo)
            print(f"| {size:,} | {every:.2f} s | {one:.2f} s | {raw:.2f} s | "
                  f"{every / raw:.1f}x | {listed:,} |", flush=True)


if __name__ == "__main__":
    main()
