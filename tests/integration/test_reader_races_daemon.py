"""Readers in threads and processes race the real daemon applying 50 real git commits.

The property of DESIGN.md's Redis section: once the daemon has reported a commit as applied, no
read that reaches Redis or the database returns a prompt from an earlier commit, and the
in-process tier catches up within the events channel's delay.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from sync import PromptReader
from sync.cache.invalidate import Invalidator
from sync.daemon.source import GitSource
from sync.daemon.syncer import Syncer
from sync.store.engine import make_engine
from tests.reader.conftest import wait_subscribed
from tests.reader.test_concurrency import FORK, Ledger, process_reader, read_loop
from tests.support.gitrepo import GitRepo

COMMITS = 50
ACME = "prompts/acme/greeting.yaml"
DEFAULT = "prompts/default/greeting.yaml"


def add_acme(repo: GitRepo) -> None:
    """acme/greeting at version 1, like default/greeting, so both move in step."""
    repo.write(ACME, repo.read("prompts/northwind/greeting.yaml"))
    repo.commit("Add acme's greeting")


@pytest.mark.timeout(240)
def test_no_read_through_redis_or_db_is_older_than_the_applied_commit(
        prompt_repo: GitRepo, db_url: str, redis_url: str) -> None:
    add_acme(prompt_repo)
    syncer = Syncer(GitSource(str(prompt_repo.path), None), "main", make_engine(db_url),
                    Invalidator(redis_url))
    assert syncer.cycle().status == "applied"
    ledger = Ledger()
    results = FORK.Queue()
    processes = [FORK.Process(target=process_reader,
                              args=(db_url, redis_url, memory, ledger, results))
                 for memory in (True, False, False)]
    for proc in processes:
        proc.start()
    shared = PromptReader(db_url=db_url, redis_url=redis_url, redis_timeout=0.5, db_timeout=2.0)
    direct = PromptReader(db_url=db_url, redis_url=redis_url, memory=False,
                          redis_timeout=0.5, db_timeout=2.0)
    wait_subscribed(shared)
    outcomes: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda r=r: outcomes.append(read_loop(r, ledger)))
               for r in (shared, direct, direct)]
    for thread in threads:
        thread.start()
    applied = []
    try:
        for version in range(2, COMMITS + 2):
            prompt_repo.bump(ACME, "", "")
            prompt_repo.bump(DEFAULT, "", "")
            prompt_repo.commit(f"Greeting version {version}")
            outcome = syncer.cycle()
            applied.append(outcome.status)
            ledger.publish(version)  # the daemon has reported it: from now on the floor
    finally:
        ledger.stop.set()
        for thread in threads:
            thread.join(30)
        outcomes += [results.get(timeout=60) for _ in processes]
        for proc in processes:
            proc.join(30)
        shared.close()
        direct.close()
        syncer.engine.dispose()
        if syncer.invalidator is not None:
            syncer.invalidator.close()

    assert applied == ["applied"] * COMMITS
    assert [o["problems"] for o in outcomes] == [[]] * 6
    backend_reads = sum(o["seen"].get("redis", 0) + o["seen"].get("db", 0) for o in outcomes)
    assert backend_reads > COMMITS
