"""A PostgreSQL restart (stop, then start on the same data and socket) while readers run.

A stopped-and-started server closes every pooled connection; a reader that hands a dead
connection back to its pool fails on it for ever. The SIGSTOP test cannot show this: a frozen
server keeps its sockets.
"""

from __future__ import annotations

import threading
import time

import pytest
from pgserver._commands import pg_ctl
from pgserver.utils import PostmasterInfo

from promptsync import PromptReader, PromptType
from tests.reader.conftest import wait_until
from tests.support.publisher import Publisher
from tests.support.servers import PostgresServer

GREETING = PromptType.GREETING



def stop(server: PostgresServer) -> None:
    assert server._pg is not None
    pg = server._pg
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pg.pgdata, user=pg.system_user, timeout=60)


def start(server: PostgresServer, socket_dir: str) -> None:
    """Start again as pgserver started it: no TCP, the same socket folder (so the same URL)."""
    assert server._pg is not None
    pg = server._pg
    pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(pg.log), "start"],
           pgdata=pg.pgdata, user=pg.system_user, timeout=60)
    # pgserver stops the server it knows of at cleanup: tell it about the new postmaster.
    pg._postmaster_info = PostmasterInfo.read_from_pgdata(pg.pgdata)


def keep_reading(readers: list[PromptReader], stopped: threading.Event) -> list[threading.Thread]:
    """Two threads per reader reading all along, so each pool holds several connections."""
    def loop(reader: PromptReader) -> None:
        while not stopped.is_set():
            reader.get("acme", GREETING)
            stopped.wait(0.002)

    threads = [threading.Thread(target=loop, args=(r,), daemon=True) for r in readers * 2]
    for thread in threads:
        thread.start()
    return threads


@pytest.mark.timeout(180)
def test_readers_recover_from_a_postgres_restart(private_postgres: PostgresServer, make_reader,
                                                 record_property) -> None:
    url = private_postgres.create_database()
    publisher = Publisher(url, None)
    publisher.apply({"acme/greeting": ("v1", 1)})
    readers = [make_reader(url, None, memory=False), make_reader(url, None)]
    assert [r.get("acme", GREETING).version for r in readers] == [1, 1]
    assert private_postgres._pg is not None
    socket_dir = str(private_postgres._pg.get_postmaster_info().socket_dir)
    stopped = threading.Event()
    threads = keep_reading(readers, stopped)
    try:
        stop(private_postgres)
        # While it is down the readers answer with their last good copy.
        assert all(r.get("acme", GREETING)[3:6:2] == (1, "memory") for r in readers)
        start(private_postgres, socket_dir)
        back = time.monotonic()
        publisher.engine.dispose()  # the test's own writer reconnects too
        publisher.apply({"acme/greeting": ("v2", 2)})
        for reader in readers:
            assert wait_until(lambda r=reader: r.get("acme", GREETING).version == 2, 30), \
                "a reader kept failing on its dead connections after the restart"
        seconds = time.monotonic() - back
        record_property("seconds_from_restart_to_new_commit", round(seconds, 3))
        print(f"server back -> both readers serve the new commit: {seconds:.3f} s")
        assert {r.get("acme", GREETING).source for r in readers} <= {"db", "memory"}
    finally:
        stopped.set()
        for thread in threads:
            thread.join(10)
        publisher.close()
