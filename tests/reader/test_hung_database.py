"""A PostgreSQL server that is alive but stopped (SIGSTOP) costs a chat one timeout, not a hang.

libpq has no timeout for a server that holds the connection open and never answers; the reader
stops waiting on its own and the breaker keeps further reads off the stuck server.
"""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from promptsync import PromptType
from tests.reader.conftest import loop_ticks_during, wait_until
from tests.reader.test_faults import backend_errors
from tests.support.publisher import Publisher
from tests.support.servers import PostgresServer

GREETING = PromptType.GREETING



def cluster_processes(server: PostgresServer) -> list[psutil.Process]:
    assert server._pg is not None
    postmaster = psutil.Process(server._pg.get_pid())
    return [postmaster, *postmaster.children(recursive=True)]


@pytest.mark.timeout(60)
def test_a_frozen_postgres_costs_one_timeout_and_heals(private_postgres: PostgresServer,
                                                       make_reader) -> None:
    url = private_postgres.create_database()
    publisher = Publisher(url, None)
    publisher.apply({"acme/greeting": ("v1", 1)})
    reader = make_reader(url, None, memory=False, db_timeout=0.3, breaker_cooldown=2.0)
    # Without Redis the memory tier looks at the database's generation: guarded alike.
    polling = make_reader(url, None, db_timeout=0.3, breaker_cooldown=2.0)
    assert reader.get("acme", GREETING).source == "db"
    assert polling.get("acme", GREETING).source == "db"
    frozen = cluster_processes(private_postgres)
    for proc in frozen:
        os.kill(proc.pid, signal.SIGSTOP)
    try:
        before = backend_errors("database")
        answers = [reader.get("acme", GREETING) for _ in range(20)]
        # The last good copy answers; only the first call waited for the stuck server.
        assert {(a.source, a.version) for a in answers} == {("memory", 1)}
        assert backend_errors("database") == before + 1
        answers = [polling.get("acme", GREETING) for _ in range(20)]
        assert {(a.source, a.version) for a in answers} == {("memory", 1)}
    finally:
        for proc in frozen:
            os.kill(proc.pid, signal.SIGCONT)
    assert wait_until(lambda: reader.get("acme", GREETING).source == "db", 20)
    publisher.apply({"acme/greeting": ("v2", 2)})
    for each in (reader, polling):
        assert wait_until(lambda r=each: r.get("acme", GREETING).version == 2, 20)
    publisher.close()



@pytest.mark.timeout(60)
def test_aget_without_redis_looks_at_a_frozen_postgres_off_the_event_loop(
        private_postgres: PostgresServer, make_reader) -> None:
    url = private_postgres.create_database()
    publisher = Publisher(url, None)
    publisher.apply({"acme/greeting": ("v1", 1)})
    reader = make_reader(url, None, db_timeout=0.5, breaker_cooldown=2.0)
    assert reader.get("acme", GREETING).source == "db"
    frozen = cluster_processes(private_postgres)
    for proc in frozen:
        os.kill(proc.pid, signal.SIGSTOP)
    try:
        # Past the memory tier's window, the next read looks at the database's generation.
        assert wait_until(lambda: time.monotonic() >= reader._memory.healthy_until)
        prompt, ticks = loop_ticks_during(lambda: reader.aget("acme", GREETING))
        assert (prompt.source, prompt.version) == ("memory", 1)
        assert ticks > 0  # that look waited on the stuck server in a thread, not on the loop
    finally:
        for proc in frozen:
            os.kill(proc.pid, signal.SIGCONT)
    publisher.close()
