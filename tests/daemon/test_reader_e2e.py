"""Daemon and reader together: once the daemon reports a commit applied, a reader that reaches
Redis or the database never answers from an earlier commit."""

from __future__ import annotations

import pytest

from promptsync.model import PromptType
from promptsync.reader import PromptReader
from tests.daemon.helpers import bump_greeting, sync_once
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(60)


def test_each_applied_commit_is_what_the_reader_sees(prompt_repo: GitRepo, db_url: str,
                                                     redis_url: str) -> None:
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    reader = PromptReader(db_url=db_url, redis_url=redis_url, memory=False)
    try:
        first = reader.get("northwind", PromptType.GREETING)
        assert (first.version, first.commit) == (1, prompt_repo.head())
        assert reader.get("northwind", PromptType.GREETING).source == "redis"  # cached now
        for version in (2, 3, 4):
            head = bump_greeting(prompt_repo, f"v{version}")
            assert sync_once(prompt_repo, db_url, redis_url) == 0
            got = reader.get("northwind", PromptType.GREETING)
            assert (got.version, got.commit) == (version, head)
            assert got.source in ("redis", "db")
        fallback = reader.get("some-new-brand", PromptType.GREETING)
        assert fallback.brand == "default" and fallback.source in ("redis", "db")
    finally:
        reader.close()
