"""Variants on the page: a tab per text with its weight beside it, each tab's live preview
rendering what the runtime serves that variant's customers, and a save that writes them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from promptsync import PromptReader
from tests.api.edit_server import WritingApi, writing_api
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo
from tests.support.variants import GREETING, greeting
from tests.web.browser import playwright_api

pytestmark = pytest.mark.slow
expect = playwright_api().expect
SAMPLE = {"brand_name": "Acme"}  # the file's first sample, which the preview starts with


@pytest.fixture
def site(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[WritingApi]:
    prompt_repo.write(GREETING, greeting(warm=30, short=30))
    prompt_repo.commit("acme's greeting runs two variants")
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json") as served:
        yield served


def runtime_texts(db_url: str) -> dict[str, str]:
    """What the runtime serves a customer of each variant, rendered with the sample."""
    with PromptReader(db_url=db_url, report=False) as reader:
        found: dict[str, str] = {}
        for i in range(1000):
            prompt = reader.get("acme", "greeting", subject=f"conversation-{i}")
            found.setdefault(prompt.variant, reader.render_prompt(prompt, SAMPLE))
        return found


def test_each_variant_has_a_tab_whose_preview_is_what_the_runtime_serves(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    served = runtime_texts(site.db_url)
    assert set(served) == {"control", "warm", "short"}
    page = open_page("/#/p/acme/greeting")
    expect(page.locator("#weight-warm")).to_have_value("30")
    expect(page.locator("#weight-short")).to_have_value("30")
    expect(page.locator("#control-share")).to_have_text("40%")
    preview = page.locator("#preview-text")
    for variant in ("warm", "short", "control"):
        page.locator(f"#tab-{variant}").click()
        expect(preview).to_have_attribute("data-variant", variant)
        expect(preview).to_have_text(served[variant])

    page.locator("#tab-warm").click()
    page.get_by_label("Variant warm").fill("Hi {{ brand_name }}, welcome back!\n")
    expect(preview).to_have_text("Hi Acme, welcome back!")
    page.locator("#weight-warm").fill("50")
    page.locator("#weight-warm").press("Tab")
    expect(page.locator("#control-share")).to_have_text("20%")
    page.get_by_role("button", name="Save…").click()
    page.locator("#confirm-save").click()
    expect(page.locator("#save-result")).to_contain_text("Saved version 2")
    saved = site.repo.git("show", f"main:{GREETING}")
    assert re.search(r"- name: warm\n\s+weight: 50\n", saved), saved
    assert "Hi {{ brand_name }}, welcome back!" in saved
    assert page.errors == []


def test_weights_over_100_are_an_error_before_a_save(site: WritingApi,
                                                    open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/acme/greeting")
    page.locator("#weight-short").fill("80")
    page.locator("#weight-short").press("Tab")
    expect(page.locator("#control-share")).to_contain_text("the weights add up to 110")
    expect(page.locator("#findings")).to_contain_text("add up to more than 100")
    expect(page.get_by_role("button", name="Save…")).to_be_disabled()
    page.get_by_label("New variant's name").fill("brief")
    page.get_by_role("button", name="Add a variant").click()
    expect(page.locator("#tab-brief")).to_have_attribute("aria-selected", "true")
    assert page.errors == []
