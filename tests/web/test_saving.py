"""Saving from the page: a new version goes live and a PromptReader in another process serves
it; two editors of one prompt get the conflict view; an old version comes back from the
history. Against a real server that writes to main, the real daemon and git."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import bearer
from tests.api.edit_server import WritingApi, reader_in_another_process
from tests.web.browser import playwright_api, screenshot

# A real browser: about half a minute of the suite on two cores, so in the slow run
# (.ci/run runs it after the default one).
pytestmark = pytest.mark.slow

expect = playwright_api().expect
GREETING = "/#/p/default/greeting"


def save(page: Any, message: str) -> None:
    page.get_by_role("button", name="Save…").click()
    page.get_by_label("What did you change? (the commit message)").fill(message)
    page.locator("#confirm-save").click()


def test_save_goes_live_and_the_runtime_reads_it(site: WritingApi,
                                                 open_page: Callable[..., Any]) -> None:
    page = open_page(GREETING)
    template = page.get_by_label("Template")
    template.fill("Welcome {{ usr_name }}\n")
    template.press("Control+s")  # the editor's shortcut: the draft's error says no first
    expect(page.locator("#save-why")).to_contain_text("usr_name")
    expect(page.locator("#findings")).to_contain_text("usr_name")
    assert page.locator("dialog").count() == 0
    assert site.repo.git("rev-list", "--count", "main") == "1"

    template.fill("Welcome to {{ brand_name }}, saved from the page.\n")
    expect(page.locator("#preview-text")).to_contain_text("saved from the page")
    template.press("Control+s")
    page.get_by_label("What did you change? (the commit message)").fill("Greet from the page")
    page.locator("#confirm-save").click()
    result = page.locator("#save-result")
    expect(result).to_contain_text("Saved version 2")
    expect(result).to_contain_text("on main, live now")
    commit = re.search(r"commit ([0-9a-f]{7})", result.inner_text())
    assert commit is not None

    version, served_commit, _ = reader_in_another_process(site.db_url, None, 2)
    assert version == "2" and served_commit.startswith(commit.group(1))
    live = site.server.client.get("/v1/prompts/default/greeting", headers=bearer(site.key))
    assert live.json()["template"] == "Welcome to {{ brand_name }}, saved from the page.\n"
    assert site.repo.git("log", "-1", "--format=%an %s", "main") == "dana Greet from the page"

    page.get_by_label("Template").fill("And a second save on top.\n{{ brand_name }}\n")
    save(page, "Again")  # the page now edits version 2
    expect(result).to_contain_text("Saved version 3")


def test_two_editors_the_second_gets_the_conflict_view_and_saves_after_it(
        site: WritingApi, open_page: Callable[..., Any], shots: Path) -> None:
    first, second = open_page(GREETING), open_page(GREETING)
    for page in (first, second):
        expect(page.locator("#preview-text")).not_to_have_text("")
    first.get_by_label("Template").fill("Hi from the first editor, {{ brand_name }}.\n")
    save(first, "First editor")
    expect(first.locator("#save-result")).to_contain_text("Saved version 2")

    mine = "Hi from the second editor, {{ brand_name }}.\n"
    second.get_by_label("Template").fill(mine)
    save(second, "Second editor")
    conflict = second.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("dana saved version 2")
    expect(conflict).to_contain_text("You started from version 1")
    expect(second.locator("#conflict-yours")).to_have_text(mine)
    expect(second.locator("#conflict-current")).to_have_text(
        "Hi from the first editor, {{ brand_name }}.\n")
    # What differs, as the history compares two versions: red then green, no @@/---/+++.
    expect(conflict.locator(".diff .del")).to_have_text(["- " + mine.rstrip("\n")])
    expect(conflict.locator(".diff .ins")).to_have_text(
        ["+ Hi from the first editor, {{ brand_name }}."])
    expect(conflict.locator(".diff")).not_to_contain_text("@@")
    screenshot(second, "conflict", shots)

    second.get_by_role("button", name="Take the current text").click()
    template = second.get_by_label("Template")
    expect(template).to_have_value("Hi from the first editor, {{ brand_name }}.\n")
    expect(second.locator("#conflict-yours")).to_have_text(mine)  # still there to copy from
    template.fill("Hi from both editors, {{ brand_name }}.\n")
    save(second, "Both editors")
    expect(second.locator("#save-result")).to_contain_text("Saved version 3")
    expect(conflict).to_be_hidden()
    assert "Hi from both editors" in site.repo.git("show", "main:prompts/default/greeting.yaml")


def test_restore_an_old_version_from_the_history(site: WritingApi,
                                                 open_page: Callable[..., Any]) -> None:
    client = site.server.client
    texts = ((1, "Second text {{ brand_name }}\n"), (2, "Third text {{ brand_name }}\n"))
    for version, text in texts:
        put = client.put("/v1/prompts/default/greeting", headers=bearer(site.key),
                         json={"version": version, "template": text, "message": f"v{version + 1}"})
        assert put.status_code == 201, put.text
    page = open_page(GREETING + "/history")
    rows = page.locator("#history tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("v2 → v3")

    page.get_by_label("From").select_option(index=1)
    page.get_by_label("To").select_option(index=0)
    page.get_by_role("button", name="Show the differences").click()
    expect(page.locator("#diff .del")).to_have_text(["- Second text {{ brand_name }}"])
    expect(page.locator("#diff .ins")).to_have_text(["+ Third text {{ brand_name }}"])

    page.get_by_role("button", name="Restore version 1").click()
    page.locator("#confirm-save").click()
    expect(page.locator("#restore-result")).to_contain_text("Restored version 1 as version 4")
    expect(page.locator("#restore-result")).to_contain_text("live now")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("rollback")
    first_text = site.repo.git("show", "main~3:prompts/default/greeting.yaml")
    now = site.repo.git("show", "main:prompts/default/greeting.yaml")
    assert now.split("template:")[1] == first_text.split("template:")[1]


def test_on_a_review_branch_a_second_save_says_the_first_awaits_review(
        review_site: WritingApi, pages: Callable[..., Any]) -> None:
    page = pages(review_site.server.url + GREETING, review_site.key)
    page.get_by_label("Template").fill("Reviewed greeting for {{ brand_name }}.\n")
    save(page, "For review")
    result = page.locator("#save-result")
    expect(result).to_contain_text("on the review branch edit/default/greeting/v2")
    expect(result).to_contain_text("goes live when a pull request merges it")
    assert "Reviewed greeting" in review_site.repo.git(
        "show", "edit/default/greeting/v2:prompts/default/greeting.yaml")
    assert "Reviewed greeting" not in review_site.repo.git(
        "show", "main:prompts/default/greeting.yaml")

    page.get_by_label("Template").fill("A second thought, {{ brand_name }}.\n")
    save(page, "Second thought")
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("waiting for review")
    expect(page.locator("#conflict-current")).to_have_text(
        "Reviewed greeting for {{ brand_name }}.\n")


def test_save_is_off_with_the_reason_while_the_draft_has_an_error(
        open_page: Callable[..., Any]) -> None:
    page = open_page(GREETING)
    save_button = page.get_by_role("button", name="Save…")
    expect(page.locator("#preview-text")).not_to_have_text("")
    expect(save_button).to_be_enabled()
    template = page.get_by_label("Template")
    template.fill("Hello {{ brand_name }},\nnice to see you {{ usr_name }}!\n")
    expect(save_button).to_be_disabled()
    why = page.locator("#save-why")
    expect(why).to_contain_text("line 2")
    expect(why).to_contain_text("usr_name")
    expect(save_button).to_have_attribute("aria-describedby", re.compile(r"\bsave-why\b"))
    template.press("Control+s")  # the shortcut opens no dialog either
    expect(why).to_be_focused()
    assert page.locator("dialog").count() == 0
    template.fill("Hello {{ brand_name }},\nnice to see you {{ user_name }}!\n")
    expect(save_button).to_be_enabled()
    expect(why).to_be_hidden()


def test_a_refused_save_names_the_field_and_its_banner_goes_once_the_text_changes(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    page = open_page(GREETING)
    expect(page.locator("#preview-text")).to_contain_text("welcome to Acme")
    # The branch's rules change under the open editor: the greeting may no longer use
    # agent_name, which it declares; the preview shown was right when it was made.
    rules = site.repo.read("schema/variables.yaml")
    site.repo.write("schema/variables.yaml", rules.replace(
        "types: [GREETING, HANDOFF, SYSTEM_PROMPT, FAREWELL]",
        "types: [HANDOFF, SYSTEM_PROMPT, FAREWELL]"))
    site.repo.commit("agent_name: not for greetings any more")
    save(page, "After the rules changed")
    result = page.locator("#save-result")
    expect(result).to_contain_text("Not saved")
    expect(result).not_to_contain_text("prompts/default/greeting.yaml")
    finding = page.locator("#findings li.error", has_text="agent_name").first
    expect(finding).to_contain_text("In variables")
    # Its translations declare agent_name too: named, as files this change affects.
    expect(page.locator("#findings li.error", has_text="greeting.de.yaml")).to_contain_text(
        "In prompts/default/greeting.de.yaml, which this change affects")
    expect(page.locator("#findings")).not_to_contain_text("In file")
    expect(page.locator("#findings")).not_to_contain_text(" of prompts/")
    page.get_by_label("Template").fill("Hello {{ brand_name }}.\n")
    expect(result).to_be_hidden()
