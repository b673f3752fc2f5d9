"""`promptsync sync`: not built yet (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    subparsers.add_parser("sync", help="(not built yet)")


def run(args: argparse.Namespace) -> int:
    print("promptsync sync: not built yet")
    return 2
