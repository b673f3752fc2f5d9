"""Readers in threads and processes race the real daemon applying 50 real git commits.

The property promptsync.cache.protocol promises: once the daemon has reported a commit as
applied, no read that reaches Redis or the database returns a prompt from an earlier commit, and the
in-process tier catches up within the events channel's delay.
"""

from __future__ import annotations

import pytest

from promptsync.cache.invalidate import Invalidator
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.store.engine import make_engine
from tests.reader.swarm import COMMITS, ReaderSwarm, assert_no_stale_reads
from tests.support.gitrepo import GitRepo

ACME = "prompts/acme/greeting.yaml"
DEFAULT = "prompts/default/greeting.yaml"


def add_acme(repo: GitRepo) -> None:
    """acme/greeting at version 1, like default/greeting, so both move in step."""
    repo.write(ACME, repo.read("prompts/northwind/greeting.yaml"))
    repo.commit("Add acme's greeting")


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_no_read_through_redis_or_db_is_older_than_the_applied_commit(
        prompt_repo: GitRepo, db_url: str, redis_url: str) -> None:
    add_acme(prompt_repo)
    syncer = Syncer(GitSource(str(prompt_repo.path), None), "main", make_engine(db_url),
                    Invalidator(redis_url))
    assert syncer.cycle().status == "applied"
    swarm = ReaderSwarm(db_url, redis_url, processes=(True, False, False), threads=3).start()
    applied = []
    try:
        for version in range(2, COMMITS + 2):
            prompt_repo.bump(ACME, "", "")
            prompt_repo.bump(DEFAULT, "", "")
            prompt_repo.commit(f"Greeting version {version}")
            applied.append(syncer.cycle().status)
            swarm.ledger.publish(version)  # the daemon has reported it: from now on the floor
    finally:
        outcomes = swarm.stop()
        syncer.engine.dispose()
        if syncer.invalidator is not None:
            syncer.invalidator.close()
    assert applied == ["applied"] * COMMITS
    assert_no_stale_reads(outcomes, 6, COMMITS)
