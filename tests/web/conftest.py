"""Fixtures of the page's tests: a real server (uvicorn, git, the daemon, SQLite) and a real
browser looking at it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import api, keys_file, synced  # noqa: F401 (fixtures reused)
from tests.api.edit_server import WritingApi, writing_api
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo
from tests.web.browser import SCREENSHOTS, WAIT_MS, launched, playwright_api


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # One browser per module, not per session: Playwright's sync API keeps an event loop that
    # must not outlive the browser tests into other tests of the same worker.
    with launched() as found:
        playwright_api().expect.set_options(timeout=WAIT_MS)
        yield found


@pytest.fixture
def site(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[WritingApi]:
    """The project's prompts, synced, served with --write-to main and a write key (`dana`);
    the daemon runs in the server's process, woken by each write."""
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json") as served:
        yield served


@pytest.fixture
def review_site(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[WritingApi]:
    """As `site`, but each save goes to a review branch (serve's default, --write-to branch)."""
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json", write_to="branch",
                     daemon=False) as served:
        yield served


@pytest.fixture
def pages(browser: Any) -> Iterator[Callable[..., Any]]:
    """`pages(url, key=None, width=1280)`: a page of a new browser context (its own
    sessionStorage) at `url`, signed in with `key` through the page's key dialog."""
    contexts: list[Any] = []

    def open_(url: str, key: str | None = None, width: int = 1280) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(url)
        if key is not None:
            sign_in(page, key)
        return page

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def open_page(pages: Callable[..., Any], site: WritingApi) -> Callable[..., Any]:
    """`open_page(path, key=site.key, width=1280)`: `pages` on the `site` server."""

    def open_(path: str = "/", key: str | None = site.key, width: int = 1280) -> Any:
        return pages(site.server.url + path, key, width)

    return open_


def sign_in(page: Any, key: str) -> None:
    page.get_by_label("API key", exact=True).fill(key)
    page.get_by_role("button", name="Use this key").click()
    page.locator("dialog").wait_for(state="detached")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots when PROMPTSYNC_SCREENSHOTS=1, else tmp."""
    return SCREENSHOTS if os.environ.get("PROMPTSYNC_SCREENSHOTS") == "1" else tmp_path / "shots"
