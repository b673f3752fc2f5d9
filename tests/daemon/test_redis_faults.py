"""A Redis that answers but refuses writes (out of memory, a read-only replica after a failover,
an ACL user without write rights) never stops the daemon: the database is updated, the cause is
logged once, counted, retried with backoff, and Redis catches up when the condition clears."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
import redis

from tests.daemon.helpers import bump_greeting, metric, redis_gen, state
from tests.daemon.process import DaemonProcess
from tests.support.gitrepo import GitRepo
from tests.support.servers import RedisProcess, free_port

pytestmark = pytest.mark.timeout(120)
# (the cause label counted in promptsync_errors_total, words of the one warning)
CAUSES = {"oom": "out of memory", "readonly": "read-only replica",
          "noperm": "lacks the rights to write"}
Trouble = tuple[str, str, Callable[[], None]]


def _admin(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5)


def _fill(url: str) -> None:
    """2 MB of data under `maxmemory 1mb` (noeviction, the default policy): every write that
    may grow memory is refused, whatever the connections' buffers add or free."""
    client = _admin(url)
    client.mset({f"ballast:{i}": "x" * 1000 for i in range(2000)})
    client.config_set("maxmemory", "1mb")
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        client.set("probe", "x")
    client.close()


@contextlib.contextmanager
def _servers(*servers: RedisProcess) -> Iterator[list[RedisProcess]]:
    try:
        yield [server.start() for server in servers]
    finally:
        for server in servers:
            server.close()


@contextlib.contextmanager
def redis_in_trouble(cause: str) -> Iterator[Trouble]:
    """(URL the daemon uses, an admin URL, clear()) of a private Redis refusing writes."""
    if cause == "oom":
        with _servers(RedisProcess()) as [server]:
            _fill(server.url)
            yield server.url, server.url, lambda: _admin(server.url).config_set("maxmemory", 0)
    elif cause == "readonly":
        primary = RedisProcess()
        with _servers(primary, RedisProcess("--replicaof", "127.0.0.1", str(primary.port))) \
                as [_, replica]:
            yield replica.url, replica.url, lambda: _admin(replica.url).replicaof("NO", "ONE")
    else:
        with _servers(RedisProcess()) as [server]:
            acl = ["ACL", "SETUSER", "promptsync", "on", ">pw", "~*", "&*", "+@all"]
            _admin(server.url).execute_command(*acl, "-@write")
            url = f"redis://promptsync:pw@127.0.0.1:{server.port}/0"
            yield url, server.url, lambda: _admin(server.url).execute_command(*acl)


@pytest.mark.parametrize("cause", sorted(CAUSES))
def test_a_redis_that_refuses_writes_never_stops_the_daemon(prompt_repo: GitRepo,
                                                            sqlite_url: str, cause: str) -> None:
    port = free_port()
    with redis_in_trouble(cause) as (url, admin_url, clear), \
            DaemonProcess(prompt_repo, sqlite_url, url, "--interval", "0.2",
                          "--metrics-port", str(port)) as proc:
        proc.until(lambda: state(sqlite_url)[0] == prompt_repo.head(), timeout=30)
        head = bump_greeting(prompt_repo, "trail")
        proc.until(lambda: state(sqlite_url) == (head, 2), timeout=30)  # the database goes on
        counted = f'promptsync_errors_total{{cause="{cause}",system="redis"}}'
        proc.until(lambda: metric(port, counted) >= 5, timeout=30)  # retried, and counted
        assert CAUSES[cause] in proc.wait_for("redis: ")
        assert proc.count("retries with backoff") == 1  # once, not once per retry
        clear()
        proc.until(lambda: redis_gen(admin_url) == 2, timeout=30)
        assert proc.alive()
        assert proc.stop() == 0
    assert "redis works again" in proc.stderr()
