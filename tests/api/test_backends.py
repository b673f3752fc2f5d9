"""The API on each supported database, with and without Redis: reads follow every publish."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.api.server import make_context, running
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo


@pytest.mark.parametrize("with_redis", [False, True], ids=["no-redis", "redis"])
def test_reads_status_and_preview_follow_the_daemon(prompt_repo: GitRepo, db_url: str,
                                                    request: pytest.FixtureRequest,
                                                    keys_file: Path, with_redis: bool) -> None:
    redis_url = request.getfixturevalue("redis_url") if with_redis else None
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    ctx = make_context(prompt_repo.path, db_url, keys_file, redis_url=redis_url)
    with running(ctx) as served:
        url = "/v1/prompts/harbor-bank/greeting"
        before = served.client.get(url).json()
        assert before["commit"] == prompt_repo.head() and before["resolved_from"] == "own"
        prompt_repo.bump("prompts/harbor-bank/greeting.yaml", "version: ", "version: ")
        head = prompt_repo.commit("A new version of the greeting")
        assert sync_once(prompt_repo, db_url, redis_url) == 0
        deadline = time.monotonic() + 30
        while (after := served.client.get(url).json())["commit"] != head:
            assert time.monotonic() < deadline, after
            time.sleep(0.05)  # the reader's memory catches up (events, or the generation)
        assert after["version"] == before["version"] + 1
        status = served.client.get("/v1/status").json()
        assert status["published"]["commit"] == head
        assert served.client.post(f"{url}/preview", json={}).json()["commit"] == head
