"""A chat process for the fleet's tests: one PromptReader, reading in a loop until killed.

    python -m tests.fleet.reader_process SERVICE DB_URL REDIS_URL
"""

from __future__ import annotations

import sys
import time

from promptsync import PromptReader, PromptType


def main() -> None:
    service, db_url, redis_url = sys.argv[1:4]
    reader = PromptReader(db_url=db_url, redis_url=redis_url, service=service)
    print("reading", flush=True)
    while True:
        reader.get("northwind", PromptType.GREETING)
        time.sleep(0.005)


if __name__ == "__main__":
    main()
