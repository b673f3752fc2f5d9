"""A translation from the page: found stale in the overview's language view, opened, brought
up to date with its base text and saved; its history is its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.edit_server import WritingApi
from tests.web.browser import playwright_api

# A real browser: about half a minute of the suite on two cores, so in the slow run
# (.ci/run runs it after the default one).
pytestmark = pytest.mark.slow

expect = playwright_api().expect
FRENCH = "prompts/northwind/farewell.fr.yaml"  # the example content's stale translation


def test_a_stale_translation_is_brought_up_to_date(site: WritingApi,
                                                   open_page: Callable[..., Any]) -> None:
    page = open_page("/")
    language = page.get_by_label("Language")
    language.fill("fr")
    language.press("Enter")
    cell = page.locator("#matrix a[href='#/p/northwind/farewell.fr']")
    expect(cell.locator(".lang.stale")).to_be_visible()
    cell.click()

    expect(page.locator("main h1")).to_contain_text("translation: fr")
    expect(page.locator("#translation")).to_contain_text(
        "Stale: translated from version 1; the base text is at version 2")
    expect(page.locator("#preview-text")).not_to_have_text("")
    template = page.get_by_label("Template")
    template.fill("Au revoir de la part de {{ brand_name }} !\n")
    expect(page.locator("#preview-text")).to_contain_text("Au revoir de la part de")
    page.get_by_label("It now matches the base text's version 2").check()
    page.get_by_role("button", name="Save…").click()
    expect(page.get_by_label("What did you change? (the commit message)")).to_have_value(
        "Edit northwind/farewell.fr")
    page.locator("#confirm-save").click()
    expect(page.locator("#save-result")).to_contain_text("Saved version 2")
    saved = site.repo.git("show", f"main:{FRENCH}")
    assert re.search(r"^translated_from: 2$", saved, re.M), saved
    assert re.search(r"^version: 2$", saved, re.M) and "Au revoir de la part de" in saved

    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(r"#/p/northwind/farewell\.fr/history$"))
    expect(page.locator("#history tbody tr")).to_have_count(2)  # its own: created, edited
    page.get_by_role("link", name="Overview").first.click()
    expect(page.get_by_label("Language")).to_have_value("fr")
    expect(cell.locator(".lang")).to_have_text("translated (fr)")
    assert page.errors == []
