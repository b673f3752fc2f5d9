"""Headless Chromium for the page's tests: the system's browser (Debian package `chromium`),
driven by Playwright. Where either is missing the browser tests are skipped, saying why."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.gitrepo import PROJECT_ROOT

BROWSER_NAMES = ("chromium", "chromium-browser")
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
# Generous: a shared two-core machine runs four test sessions at once.
WAIT_MS = 20_000


def chromium_path() -> str:
    """The system Chromium, or a skip that says how to get one."""
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium on this machine (looked for chromium, chromium-browser on PATH): "
                "the browser tests are skipped; `apt-get install -y chromium` (.ci/run does)")


def playwright_api() -> Any:
    """playwright.sync_api, or a skip that says it is missing."""
    return pytest.importorskip("playwright.sync_api", reason="the pip package playwright is "
                               "not installed (pip install -e '.[test]'): browser tests skipped")


@contextmanager
def launched() -> Iterator[Any]:
    """A headless Chromium, closed (and Playwright stopped) when the block ends."""
    sync_api = playwright_api()
    executable = chromium_path()
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def screenshot(page: Any, name: str, folder: Path) -> Path:
    """Save the page as `name`.png in `folder` (the test's own folder, or docs/screenshots
    when PROMPTSYNC_SCREENSHOTS=1 asks the run to refresh the README's pictures)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    return target
