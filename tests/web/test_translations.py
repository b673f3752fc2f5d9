"""A translation from the page: found stale in the overview's language view, opened, brought
up to date with its base text and saved; its history is its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.edit_server import WritingApi
from tests.web.browser import playwright_api, screenshot

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


def test_without_a_language_a_stale_translation_is_not_shown_as_translated(
        open_page: Callable[..., Any]) -> None:
    page = open_page("/")
    cell = page.locator("#matrix a[href='#/p/northwind/farewell']")
    expect(cell.locator(".lang.translated")).to_have_text("translated: de")
    expect(cell.locator(".lang.stale")).to_have_text("stale: fr")
    expect(cell).to_have_attribute("aria-label", re.compile("translated: de, stale: fr"))
    fresh = page.locator("#matrix a[href='#/p/northwind/greeting']")
    expect(fresh.locator(".lang.translated")).to_have_text("translated: de, fr")
    expect(fresh.locator(".lang.stale")).to_have_count(0)


def test_the_language_box_applies_as_you_type(open_page: Callable[..., Any]) -> None:
    page = open_page("/")
    expect(page.locator("#matrix")).to_be_visible()
    language = page.get_by_label("Language")
    language.press_sequentially("ja")  # no Enter, no leaving the field: like the brand filter
    greeting = page.locator("#matrix a[href^='#/p/harbor-bank/greeting']")
    expect(greeting.locator(".lang")).to_have_text("no ja: base text")
    expect(language).to_be_focused()
    language.fill("")
    expect(greeting.locator(".lang")).to_have_count(0)


def test_a_stale_translation_shows_what_changed_in_its_base_text(
        site: WritingApi, open_page: Callable[..., Any], shots: Path) -> None:
    site.repo.bump("prompts/default/greeting.yaml", "How can I help you today?",
                   "What can I do for you today?")
    site.repo.commit("Reword the greeting")
    page = open_page("/#/p/default/greeting.de")
    expect(page.locator("#translation")).to_contain_text(
        "Stale: translated from version 1; the base text is at version 2")
    change = page.locator("#base-change")
    expect(change).to_contain_text("What changed in the base text since version 1")
    expect(change.locator(".del")).to_contain_text(["How can I help you today?"])
    expect(change.locator(".ins")).to_contain_text(["What can I do for you today?"])
    screenshot(page, "stale-translation", shots)
    assert page.errors == []
