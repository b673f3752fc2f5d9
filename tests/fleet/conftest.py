"""Fixtures of the fleet's tests: a Publisher playing the daemon on SQLite, readers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reader.conftest import make_reader  # noqa: F401 (the fixture, reused)
from tests.support.publisher import Publisher


@pytest.fixture
def publisher(sqlite_url: str, redis_url: str) -> Iterator[Publisher]:
    pub = Publisher(sqlite_url, redis_url)
    yield pub
    pub.close()
