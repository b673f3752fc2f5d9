"""An editor in a real browser: the overview, a prompt with its live preview and findings,
and a template that holds markup, against a real server, git repository and daemon."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import bearer
from tests.api.edit_server import WritingApi
from tests.web.browser import playwright_api, screenshot
from tests.web.conftest import sign_in

# A real browser: about half a minute of the suite on two cores, so in the slow run
# (.ci/run runs it after the default one).
pytestmark = pytest.mark.slow

expect = playwright_api().expect

TYPES = 6


def test_the_overview_shows_every_brand_by_type_and_filters(
        open_page: Callable[..., Any], shots: Path) -> None:
    page = open_page("/")
    matrix = page.locator("#matrix")
    expect(matrix.locator("tbody tr")).to_have_count(3)  # default, harbor-bank, northwind
    default = matrix.locator("tbody tr", has=page.get_by_role("rowheader", name="default"))
    expect(default.locator("td")).to_have_count(TYPES)
    expect(default.locator("td.own")).to_have_count(TYPES)
    inherited = matrix.locator("tbody tr", has=page.get_by_role("rowheader", name="harbor-bank"))
    expect(inherited.locator("td.default")).to_contain_text(["from default"])
    expect(default.locator("td").first).to_contain_text(re.compile(r"v1.*live \d{4}-"))
    screenshot(page, "overview", shots)

    page.get_by_label("Filter brands").fill("north")
    expect(matrix.locator("tbody tr:visible")).to_have_count(1)
    expect(page.locator("#brand-count")).to_have_text("1 of 3 brands shown")
    assert page.errors == []


def test_typing_updates_the_preview_and_an_unknown_variable_is_shown_at_its_line(
        open_page: Callable[..., Any], shots: Path) -> None:
    page = open_page("/")
    page.locator("#matrix").get_by_role("link", name=re.compile("^default greeting")).click()
    expect(page).to_have_url(re.compile(r"#/p/default/greeting$"))
    expect(page.locator("#preview-text")).to_contain_text("welcome to Acme")

    template = page.get_by_label("Template")
    template.fill("Hello {{ brand_name }}, good to see you.\n")
    expect(page.locator("#preview-text")).to_have_text("Hello Acme, good to see you.\n")

    template.fill("Hello {{ brand_name }},\nnice to see you {{ usr_name }}!\n")
    error_line = page.locator(".gutter .line.error")
    expect(error_line).to_have_count(1)
    expect(error_line).to_have_attribute("data-line", "2")
    finding = page.locator("#findings li.error")
    expect(finding).to_contain_text("Line 2, column")
    expect(finding).to_contain_text("usr_name")
    expect(finding).to_contain_text("did you mean 'user_name'")
    expect(page.locator(".notes .note.error")).to_contain_text("'usr_name'")  # beside line 2
    screenshot(page, "editor-finding", shots)

    finding.get_by_role("button").click()  # the finding moves the cursor to its line
    assert template.evaluate("t => t.value.slice(0, t.selectionStart).split('\\n').length") == 2
    assert page.errors == []


def test_a_sample_switch_and_a_free_form_context_render(open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/harbor-bank/greeting")
    preview = page.locator("#preview-text")
    expect(preview).not_to_have_text("")
    page.get_by_label("Context (JSON)").fill('{"brand_name": "Zed Bank", "user_name": "Ola"}')
    expect(page.get_by_label("Render with")).to_have_value("\u0000custom")
    expect(preview).to_contain_text("Ola")
    page.get_by_label("Context (JSON)").fill('{"brand_name": ')
    expect(page.locator("#context-error")).to_contain_text("not valid JSON")


def test_a_runtime_variable_is_inserted_at_the_cursor_and_declared(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/default/greeting")
    template = page.get_by_label("Template")
    template.fill("Hello  today\n")
    template.evaluate("t => t.setSelectionRange(6, 6)")
    page.locator("#runtime").get_by_role("button", name="Insert brand_name").click()
    expect(template).to_have_value("Hello {{ brand_name }} today\n")
    expect(page.locator("#preview-text")).to_have_text("Hello Acme today\n")

    page.keyboard.press("End")  # the click left the cursor after the insertion
    page.keyboard.type(", locale ")
    page.locator("#runtime").get_by_role("button", name="Insert locale").click()  # undeclared
    expect(page.locator("#declared")).to_contain_text("locale")
    expect(template).to_have_value("Hello {{ brand_name }} today, locale {{ locale }}\n")
    expect(page.locator("#preview-text")).to_have_text("Hello Acme today, locale \n")
    expect(page.locator("#findings li.error")).to_have_count(0)
    page.get_by_role("button", name="Save…").click()
    page.locator("#confirm-save").click()
    expect(page.locator("#save-result")).to_contain_text("Saved version 2")
    saved = site.repo.git("show", "main:prompts/default/greeting.yaml")
    assert "  locale:\n    type: string" in saved


def test_a_template_loop_shows_a_finding_and_the_page_stays_usable(
        open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/default/greeting")
    template = page.get_by_label("Template")
    template.fill("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
                  "{% endfor %}{{ brand_name }}\n")
    expect(page.locator("#findings li.error").first).to_contain_text("does not render")
    expect(page.locator("#preview-status")).to_contain_text("Not rendered")
    template.fill("Back to {{ brand_name }}.\n")
    expect(page.locator("#preview-text")).to_have_text("Back to Acme.\n")


def test_markup_in_a_template_and_a_commit_message_shows_as_text(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    markup = "<script>alert(1)</script><img src=x onerror=alert(2)> {{ brand_name }}\n"
    answer = site.server.client.put("/v1/prompts/default/greeting", headers=bearer(site.key),
                                    json={"version": 1, "template": markup,
                                          "message": "<b onmouseover=alert(3)>bold</b>"})
    assert answer.status_code == 201, answer.text
    page = open_page("/", key=None)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, site.key)
    page.goto(site.server.url + "/#/p/default/greeting")
    expect(page.get_by_label("Template")).to_have_value(markup)
    expect(page.locator("#preview-text")).to_have_text(markup.replace("{{ brand_name }}", "Acme"))
    assert page.locator("main script, main img").count() == 0
    page.goto(site.server.url + "/#/p/default/greeting/history")
    expect(page.locator("#history")).to_contain_text("<b onmouseover=alert(3)>bold</b>")
    assert page.locator("main b").count() == 0
    assert dialogs == []
    assert page.errors == []


GERMAN = """type: GREETING
version: 1
locale: de
translated_from: 1
variables:
  brand_name:
    type: string
    required: true
template: |
  Willkommen bei {{ brand_name }}!
"""


def test_a_language_shows_which_cells_are_translated_and_which_fall_back(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    if not (site.repo.path / "prompts/default/greeting.de.yaml").exists():
        site.repo.write("prompts/default/greeting.de.yaml", GERMAN)
        site.repo.commit("German greeting")
        site.server.ctx.wake_daemon()
    deadline = time.monotonic() + 60
    while site.server.client.get("/v1/prompts/harbor-bank/greeting?locale=de",
                                 headers=bearer(site.key)).json()["answered_locale"] != "de":
        assert time.monotonic() < deadline, "the daemon did not publish the translation"
        time.sleep(0.05)  # polling the published state with a limit
    page = open_page("/")
    expect(page.locator("#matrix")).to_be_visible()
    language = page.get_by_label("Language")
    language.fill("de")
    language.press("Enter")
    greeting = page.locator("#matrix a[href^='#/p/harbor-bank/greeting']")
    expect(greeting.locator(".lang")).to_have_text("translated (de)")
    language.fill("fr")  # northwind's French farewell was made from an older base text
    language.press("Enter")
    stale = page.locator("#matrix a[href^='#/p/northwind/farewell'] .lang")
    expect(stale).to_have_text("stale: translated from v1, the base is at v2")
    expect(page.locator("#matrix .lang.stale")).to_have_count(1)
    expect(page.locator("#known-locales option")).to_have_count(2)  # declared: de and fr
    language.fill("ja")  # a language no prompt is translated into
    language.press("Enter")
    expect(greeting.locator(".lang")).to_have_text("no ja: base text")
    expect(page.locator("#matrix .lang.translated")).to_have_count(0)
    language.fill("")
    language.press("Enter")  # the base texts again: a cell names its own translations
    expect(page.locator("#matrix .lang.fallback")).to_have_count(0)
    expect(greeting.locator(".lang")).to_have_count(0)  # harbor-bank translates nothing itself
    default = page.locator("#matrix a[href^='#/p/default/greeting']")
    expect(default.locator(".lang")).to_contain_text("translated: de")


def test_a_loop_bomb_says_a_sentence_an_editor_understands(
        open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/default/greeting")
    expect(page.locator("#preview-text")).not_to_have_text("")
    page.get_by_label("Template").fill("{% for i in range(10**9) %}x{% endfor %}"
                                       "{{ brand_name }}\n")
    finding = page.locator("#findings li.error").first
    expect(finding).to_contain_text("a loop would repeat 1,000,000,000 times")
    expect(finding).to_contain_text("at most 100,000 times")
    for jargon in ("MAX_RANGE", "OverflowError", "Range too big"):
        expect(page.locator("main")).not_to_contain_text(jargon)


PROSE = ("Thank you for getting in touch with us today; we read every message and answer it "
         "as soon as we can, usually within the hour, and never later than the next working "
         "day, whatever the season and however busy the shop may be.")


def test_the_template_editor_wraps_prose_and_keeps_its_line_numbers_beside_their_lines(
        open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/default/greeting")
    template = page.get_by_label("Template")
    template.fill(f"{PROSE}\nFrom all of us at {{{{ brand_name }}}}.\n")
    # Measured once the preview has answered: its findings redraw the gutter.
    expect(page.locator("#preview-text")).to_contain_text("From all of us at Acme.")
    assert template.get_attribute("wrap") != "off"
    assert template.evaluate("t => t.scrollWidth <= t.clientWidth")  # nothing off the edge
    lines = page.locator("#template-highlight .code-line")
    expect(lines).to_have_count(3)
    first, second = lines.nth(0).bounding_box(), lines.nth(1).bounding_box()
    assert first and second and first["height"] >= 3 * 20 - 1  # the prose wraps
    number = page.locator(".gutter .line[data-line='2']").bounding_box()
    assert number and abs(number["y"] - second["y"]) < 1.5  # "2" beside the second line


def test_template_tags_are_highlighted_behind_the_text_and_typing_still_works(
        open_page: Callable[..., Any]) -> None:
    page = open_page("/#/p/default/greeting")
    template = page.get_by_label("Template")
    template.fill("Hi {{ user_name }}!\n{% if agent_name %}I'm {{ agent_name }}.{% endif %}\n"
                  "{# says who we are #}{{ brand_name | upper }}")
    shown = page.locator("#template-highlight")
    expect(shown.locator(".tok-expr")).to_have_text(
        ["{{ user_name }}", "{{ agent_name }}", "{{ brand_name | upper }}"])
    expect(shown.locator(".tok-stmt")).to_have_text(["{% if agent_name %}", "{% endif %}"])
    expect(shown.locator(".tok-keyword")).to_have_text(["if", "endif"])
    expect(shown.locator(".tok-comment")).to_have_text(["{# says who we are #}"])
    assert shown.get_attribute("aria-hidden") == "true"

    template.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" and {{ user_name")
    page.keyboard.type(" }}!")
    value = "Hi {{ user_name }}!\n{% if agent_name %}I'm {{ agent_name }}.{% endif %}\n" \
            "{# says who we are #}{{ brand_name | upper }} and {{ user_name }}!"
    expect(template).to_have_value(value)
    expect(shown.locator(".tok-expr").last).to_have_text("{{ user_name }}")
    assert shown.evaluate("p => [...p.querySelectorAll('.code-line')].map((l) => "
                          "l.textContent).join('\\n')") == value
    assert template.evaluate("t => t.selectionStart") == len(value)  # the caret where typed
    expect(page.locator("#preview-text")).to_contain_text("ACME and ")

    # The text layer and the highlight stay on one another: same box, same scroll.
    template.fill("\n".join(f"line {n} {{{{ brand_name }}}}" for n in range(1, 61)))
    expect(page.locator("#preview-text")).to_contain_text("line 60 Acme")
    template.evaluate("t => { t.scrollTop = t.scrollHeight; "
                      "t.dispatchEvent(new Event('scroll')); }")
    last = page.locator("#template-highlight .code-line").last.bounding_box()
    number = page.locator(".gutter .line[data-line='60']").bounding_box()
    box = template.bounding_box()
    assert last and number and box
    assert abs(last["y"] - number["y"]) < 1.5
    assert box["y"] <= last["y"] <= box["y"] + box["height"] - 20
    page.keyboard.press("Control+a")
    page.keyboard.type("Replaced {{ brand_name }}")  # a selection typed over
    expect(template).to_have_value("Replaced {{ brand_name }}")
    expect(shown.locator(".tok-expr")).to_have_text(["{{ brand_name }}"])
