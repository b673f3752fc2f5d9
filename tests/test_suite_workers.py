"""The suite's own set-up: with REDIS_URL set it still runs in two workers (it ran in one, twice
as long), the first on that server and the others on private ones."""

from __future__ import annotations

import os

import pytest

from tests.conftest import pytest_xdist_auto_num_workers
from tests.support.servers import shared_redis


def test_redis_url_keeps_the_workers(monkeypatch: pytest.MonkeyPatch,
                                     pytestconfig: pytest.Config) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    cores = len(os.sched_getaffinity(0))
    assert pytest_xdist_auto_num_workers(pytestconfig) == (min(cores, 4) if cores > 1 else 0)


def test_only_the_first_worker_uses_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    with shared_redis() as url:
        assert url == "redis://127.0.0.1:9/0"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    with shared_redis() as url:
        assert url != "redis://127.0.0.1:9/0" and url.startswith("redis://127.0.0.1:")
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    with shared_redis() as url:
        assert url == "redis://127.0.0.1:9/0"  # no xdist: the one process uses it
