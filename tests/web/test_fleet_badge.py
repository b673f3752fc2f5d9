"""The overview's fleet badge in a real browser: green with the fleet's summary when every
reader serves the published commit, red when one is stale, and a plain word without Redis."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis

from promptsync.cache.protocol import READER_KEEP_MS, REPORT_READER, ReaderReport, reader_key
from promptsync.cache.protocol import report_fields as fields_of
from promptsync.reader import PromptReader
from tests.api.server import make_context, running
from tests.daemon.helpers import sync_once
from tests.reader.conftest import wait_subscribed
from tests.support.gitrepo import GitRepo
from tests.web.browser import playwright_api

pytestmark = pytest.mark.slow
expect = playwright_api().expect


def test_the_badge_follows_the_fleet(prompt_repo: GitRepo, sqlite_url: str, redis_url: str,
                                     tmp_path: Path, pages: Callable[..., Any],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_FLEET_HEARTBEAT", "0.5")
    monkeypatch.setenv("PROMPTSYNC_SERVICE", "editors-page")  # the server's own reader
    monkeypatch.setenv("PROMPTSYNC_FLEET_GRACE", "0")  # behind is stale at once
    assert sync_once(prompt_repo, sqlite_url, redis_url) == 0
    chat = PromptReader(db_url=sqlite_url, redis_url=redis_url, service="checkout-bot")
    ctx = make_context(prompt_repo.path, sqlite_url, tmp_path / "keys.json",
                       redis_url=redis_url)
    try:
        wait_subscribed(chat)
        with running(ctx) as api:
            page = pages(api.url + "/")
            badge = page.locator("#fleet")
            expect(badge).to_have_class(re.compile(r"\bsynced\b"))
            expect(badge).to_have_text(f"Fleet: 2 readers in 2 services: all serve "
                                       f"{prompt_repo.head()[:7]} (generation 1)")
            _behind_reader(redis_url)
            page.reload()
            expect(badge).to_have_class(re.compile(r"\bstale\b"))
            expect(badge).to_contain_text("1 stale")
            assert page.errors == []
    finally:
        chat.close()


def test_without_redis_the_badge_says_so(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path,
                                         pages: Callable[..., Any]) -> None:
    assert sync_once(prompt_repo, sqlite_url) == 0
    with running(make_context(prompt_repo.path, sqlite_url, tmp_path / "keys.json")) as api:
        page = pages(api.url + "/")
        expect(page.locator("#fleet")).to_have_text(
            "Fleet: not reported (this server has no Redis)")
        expect(page.locator("#matrix")).to_be_visible()  # the overview itself is unchanged


def _behind_reader(redis_url: str) -> None:
    """A reader that still serves generation 0, reported by the protocol's own script."""
    report = ReaderReport("behind:1:aaaaaa", "checkout-bot", "behind", 1, "1.0", 0, "",
                          {"memory": "ok"}, 60.0)
    client = redis.Redis.from_url(redis_url)
    try:
        client.register_script(REPORT_READER)(keys=[reader_key(report.id)],
                                              args=[READER_KEEP_MS, "0", *fields_of(report)])
    finally:
        client.close()
