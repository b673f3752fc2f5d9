"""A new user: the README's one command, the page at /, a key from `promptsync keys add`, and
an edit saved where serve puts edits by default (a review branch)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from tests.api.test_serve import serve
from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.web.browser import playwright_api

# A real browser: about half a minute of the suite on two cores, so in the slow run
# (.ci/run runs it after the default one).
pytestmark = pytest.mark.slow

expect = playwright_api().expect


def keys_add(repo: GitRepo, name: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "promptsync", "keys", "add", name, "--scope",
                           "write", "--all-brands"], cwd=repo.path, capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_from_promptsync_serve_to_a_saved_edit(prompt_repo: GitRepo, pages: Any) -> None:
    with serve(prompt_repo) as (_, url):
        page = pages(url + "/")  # no key exists yet: reads and previews are open
        expect(page.locator("#matrix")).to_be_visible()
        expect(page.locator("#session")).to_contain_text("No key: read and preview only")
        page.goto(url + "/#/p/default/greeting")
        expect(page.locator("#notice")).to_contain_text("promptsync keys add NAME --scope write")
        expect(page.locator("#preview-text")).to_contain_text("Acme")

        key = keys_add(prompt_repo, "ada")
        page.get_by_role("button", name="Enter a key").click()
        page.get_by_label("API key", exact=True).fill(key)
        page.get_by_role("button", name="Use this key").click()
        expect(page.locator("#session")).to_contain_text("Key ada: write, all brands")
        page.get_by_label("Template").fill("Hello from a new user, {{ brand_name }}.\n")
        expect(page.locator("#preview-text")).to_have_text("Hello from a new user, Acme.\n")
        page.get_by_role("button", name="Save…").click()
        page.locator("#confirm-save").click()
        expect(page.locator("#save-result")).to_contain_text(
            "on the review branch edit/default/greeting/v2")
        saved = prompt_repo.git("show", "edit/default/greeting/v2:prompts/default/greeting.yaml")
        assert "new user" in saved
        assert page.errors == []
