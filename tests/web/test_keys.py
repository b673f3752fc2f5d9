"""The page and API keys: asked for once per browser session, and the page offers only what
the key may do (a read-only key gets no save button; a brand's key says which brand)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from promptsync.api.keys import KeyStore, Scope
from tests.api.edit_server import WritingApi
from tests.daemon.helpers import wait_until
from tests.web.browser import playwright_api

# A real browser: about half a minute of the suite on two cores, so in the slow run
# (.ci/run runs it after the default one).
pytestmark = pytest.mark.slow

expect = playwright_api().expect


def add_key(site: WritingApi, name: str, scope: Scope, brands: list[str] | None) -> str:
    return KeyStore(site.server.ctx.settings.keys_file).add(name, scope, brands)


def test_the_key_is_asked_once_and_kept_for_the_session_only(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    page = open_page("/", key=None)
    page.get_by_label("API key", exact=True).fill("ps_not-a-key")
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("dialog [role=alert]")).to_contain_text("This key is not known here")
    page.get_by_label("API key", exact=True).fill(site.key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#session")).to_contain_text("Key dana: write, all brands")
    expect(page.locator("#matrix")).to_be_visible()

    page.reload()
    expect(page.locator("#matrix")).to_be_visible()
    assert page.locator("dialog[open]").count() == 0
    assert page.evaluate("() => sessionStorage.getItem('promptsync.key')") == site.key
    assert page.evaluate("() => localStorage.length") == 0
    other = open_page("/", key=None)  # another browser session is asked again
    expect(other.get_by_label("API key", exact=True)).to_be_visible()


def test_a_read_only_key_gets_no_save_button(site: WritingApi,
                                             open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/default/greeting", key=add_key(site, "reader", Scope.READ, None))
    expect(page.get_by_label("Template")).to_be_visible()
    expect(page.locator("#template-why")).to_contain_text("This key (reader) may read only")
    assert page.get_by_role("button", name="Save…").count() == 0
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history")).to_be_visible()
    assert page.locator("button.restore").count() == 0


def test_a_brand_key_says_which_brand_it_may_edit(site: WritingApi,
                                                  open_page: Callable[..., Any]) -> None:
    key = add_key(site, "harbor", Scope.WRITE, ["harbor-bank"])
    page = open_page("/#/p/northwind/greeting", key=key)
    expect(page.locator("#notice")).to_have_text("This key may edit brand harbor-bank only.")
    assert page.get_by_role("button", name="Save…").count() == 0

    page.goto(site.server.url + "/#/p/harbor-bank/farewell")  # inherited from default
    expect(page.locator("#source-info")).to_contain_text("inherited from prompts/default/")
    page.get_by_label("Template").fill("Goodbye from {{ brand_name }}.\n")
    page.get_by_role("button", name="Save…").click()
    page.locator("#confirm-save").click()
    expect(page.locator("#save-result")).to_contain_text("Saved version 1")
    assert "Goodbye from" in site.repo.git("show", "main:prompts/harbor-bank/farewell.yaml")
    # Saved is not yet live on a loaded machine: the overview shows what the runtime serves.
    wait_until(lambda: site.server.client.get("/v1/prompts/harbor-bank/farewell", headers={
        "Authorization": f"Bearer {site.key}"}).json()[
        "answered_by"] == "harbor-bank", timeout=30)
    page.goto(site.server.url + "/#/")
    cell = page.locator("#matrix a[href='#/p/harbor-bank/farewell']")
    expect(cell).to_contain_text("own")


def test_the_page_fits_a_phone_screen(open_page: Callable[..., Any]) -> None:
    for path in ("/", "/#/p/default/greeting", "/#/p/default/greeting/history",
                 "/#/p/northwind/farewell.fr"):
        page = open_page(path, width=390)
        expect(page.locator("main h1")).to_be_visible()
        page.locator("main table, main textarea").first.wait_for()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, path


def test_a_key_removed_on_the_server_is_asked_for_again(site: WritingApi,
                                                        open_page: Callable[..., Any]) -> None:
    key = add_key(site, "temp", Scope.WRITE, None)
    page = open_page("/", key=key)
    expect(page.locator("#session")).to_contain_text("Key temp")
    KeyStore(site.server.ctx.settings.keys_file).remove("temp")
    page.goto(site.server.url + "/#/p/default/greeting")
    expect(page.locator("dialog[open]")).to_contain_text("no longer accepts the key")
    page.get_by_label("API key", exact=True).fill(site.key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#session")).to_contain_text("Key dana")
    expect(page.get_by_role("button", name="Save…")).to_be_visible()


def save_after_the_key_is_removed(site: WritingApi, open_page: Callable[..., Any], text: str,
                                  message: str) -> Any:
    """A page with a write key and `text` typed; the key removed on the server, then Save:
    the server answers 401 and the page asks for another key."""
    page = open_page("/#/p/default/greeting", key=add_key(site, "temp", Scope.WRITE, None))
    expect(page.locator("#preview-text")).not_to_have_text("")
    page.get_by_label("Template").fill(text)
    expect(page.locator("#findings li.error")).to_have_count(0)
    KeyStore(site.server.ctx.settings.keys_file).remove("temp")
    page.get_by_role("button", name="Save…").click()
    page.get_by_label("What did you change? (the commit message)").fill(message)
    page.locator("#confirm-save").click()
    expect(page.locator("dialog[open]")).to_contain_text("no longer accepts the key")
    return page


def test_a_save_refused_for_a_removed_key_keeps_the_text_and_goes_through_with_a_new_key(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    """Issue 16 item 10: the 401 used to re-render the view and throw the unsaved text away."""
    mine = "Unsaved words for {{ brand_name }}.\n"
    page = save_after_the_key_is_removed(site, open_page, mine, "Kept through a new key")
    expect(page.get_by_label("Template")).to_have_value(mine)  # under the key dialog
    page.get_by_label("API key", exact=True).fill(site.key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#save-result")).to_contain_text("Saved version 2")
    expect(page.get_by_label("Template")).to_have_value(mine)
    assert "Unsaved words for" in site.repo.git("show", "main:prompts/default/greeting.yaml")
    assert site.repo.git("log", "-1", "--format=%an %s", "main") == "dana Kept through a new key"
    assert page.errors == []


def test_a_refused_key_dialog_cancelled_keeps_the_text_unsaved(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    mine = "Words nobody saved, {{ brand_name }}.\n"
    page = save_after_the_key_is_removed(site, open_page, mine, "Never saved")
    page.locator("dialog[open]").get_by_role("button", name="Cancel").click()
    expect(page.locator("#save-result")).to_contain_text("Not saved")
    expect(page.get_by_label("Template")).to_have_value(mine)
    assert site.repo.git("rev-list", "--count", "main") == "1"


def test_a_read_only_key_cannot_type_into_the_template_and_is_told_why(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/default/greeting", key=add_key(site, "reader", Scope.READ, None))
    template = page.locator("#template")
    expect(template).to_be_visible()
    expect(template).not_to_be_editable()
    why = page.locator("#template-why")
    expect(why).to_contain_text("Read-only")
    expect(why).to_contain_text("This key (reader) may read only")
    expect(template).to_have_attribute("aria-describedby", re.compile(r"\btemplate-why\b"))
    before = template.input_value()
    template.focus()
    page.keyboard.type("typed anyway")
    expect(template).to_have_value(before)
    for button in page.locator("#runtime button, #declared button").all():
        expect(button).to_be_disabled()
    assert page.get_by_role("button", name="Undo all changes").count() == 0
