"""GET /v1/fleet and the fleet's gauges on /metrics, over HTTP from a real server, with readers
reporting to a real Redis; without Redis the answer says the fleet needs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptsync.reader import PromptReader
from tests.api.server import make_context, running
from tests.daemon.helpers import sync_once
from tests.reader.conftest import wait_subscribed, wait_until
from tests.support.gitrepo import GitRepo


def test_the_fleet_over_http_and_on_metrics(prompt_repo: GitRepo, sqlite_url: str,
                                            redis_url: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_FLEET_HEARTBEAT", "0.2")
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    chat = PromptReader(db_url=sqlite_url, redis_url=redis_url, service="checkout-bot")
    ctx = make_context(prompt_repo.path, sqlite_url, tmp_path / "keys.json",
                       redis_url=redis_url)
    try:
        wait_subscribed(chat)
        with running(ctx) as api:
            def mine() -> list[dict[str, object]]:
                body = api.client.get("/v1/fleet", params={"service": "checkout-bot"}).json()
                return list(body["readers"])

            assert wait_until(lambda: [r["state"] for r in mine()] == ["synced"])
            body = api.client.get("/v1/fleet").json()
            assert body["available"] and body["published"]["generation"] == 1
            assert body["published"]["commit"] == prompt_repo.head()
            (reader,) = mine()
            assert (reader["service"], reader["generation"], reader["commit"]) == \
                ("checkout-bot", 1, prompt_repo.head())
            metrics = api.client.get("/metrics").text
            assert 'promptsync_fleet_readers{service="checkout-bot",state="synced"} 1.0' in \
                metrics
            assert "promptsync_fleet_up 1.0" in metrics
    finally:
        chat.close()


def test_without_redis_the_fleet_is_not_available(prompt_repo: GitRepo, sqlite_url: str,
                                                  tmp_path: Path) -> None:
    assert sync_once(prompt_repo, sqlite_url) == 0
    with running(make_context(prompt_repo.path, sqlite_url, tmp_path / "keys.json")) as api:
        answer = api.client.get("/v1/fleet")
        assert answer.status_code == 200
        assert answer.json()["available"] is False
        assert answer.json()["reason"].startswith("the fleet needs Redis")
        assert "promptsync_fleet" not in api.client.get("/metrics").text
