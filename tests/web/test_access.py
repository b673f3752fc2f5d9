"""The page for everyone: every control has a name, text keeps WCAG AA contrast, and an edit
from the overview to a saved version works from the keyboard alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import bearer
from tests.api.edit_server import WritingApi
from tests.web.browser import playwright_api

# A real browser: about half a minute of the suite on two cores, so in the slow run
# (.ci/run runs it after the default one).
pytestmark = pytest.mark.slow

expect = playwright_api().expect

UNNAMED = """() => [...document.querySelectorAll("input, select, textarea, button, a[href]")]
  .filter((el) => el.getClientRects().length > 0)
  .filter((el) => {
    const by = el.getAttribute("aria-labelledby");
    const name = [...(el.labels || [])].map((l) => l.textContent).join("")
      || el.getAttribute("aria-label") || (by && document.getElementById(by)?.textContent)
      || (el.tagName === "BUTTON" || el.tagName === "A" ? el.textContent : "");
    return !name || !name.trim();
  }).map((el) => `${el.tagName} #${el.id} .${el.className}`)"""

# WCAG 2.1 contrast of every visible text against the background it is drawn on: 4.5:1, or
# 3:1 for large text (24 px, or 18.66 px bold). Disabled controls are exempt, as in WCAG.
LOW_CONTRAST = """() => {
  const rgb = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || el.getClientRects().length === 0) continue;
    if (el.closest("[disabled], .visually-hidden, option, head")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (parseInt(style.fontWeight, 10) >= 700 && size >= 18.66);
    const what = `${el.tagName}.${el.className} ${ratio.toFixed(2)}`;
    if (ratio < (large ? 3 : 4.5)) low.push(`${what}: ${el.textContent.trim().slice(0, 40)}`);
  }
  return low;
}"""


def check(page: Any) -> None:
    assert page.evaluate(UNNAMED) == []
    assert page.evaluate(LOW_CONTRAST) == []


def test_every_view_names_its_controls_and_keeps_contrast(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    page = open_page("/")
    expect(page.locator("#matrix")).to_be_visible()
    check(page)
    page.get_by_label("Language").fill("fr")
    page.get_by_label("Language").press("Enter")
    expect(page.locator("#matrix .lang.stale")).to_be_visible()
    check(page)
    page.goto(site.server.url + "/#/p/northwind/farewell.fr")
    expect(page.locator("#translation")).to_be_visible()
    check(page)
    page.goto(site.server.url + "/#/p/default/greeting")
    page.get_by_label("Template").fill("Hi {{ usr_name }}\n{{ brand_name }}\n")
    expect(page.locator("#findings li.error")).to_be_visible()
    expect(page.locator("#save-why")).to_be_visible()
    check(page)
    page.get_by_label("Template").fill("Hi {{ user_name }}\n{{ brand_name }}\n")
    expect(page.get_by_role("button", name="Save…")).to_be_enabled()
    put = site.server.client.put("/v1/prompts/default/greeting", headers=bearer(site.key),
                                 json={"version": 1, "template": "Other {{ brand_name }}\n"})
    assert put.status_code == 201
    page.get_by_role("button", name="Save…").click()
    check(page)  # the dialog
    page.locator("#confirm-save").click()
    expect(page.locator("#conflict")).to_be_visible()
    check(page)
    page.goto(site.server.url + "/#/p/default/greeting/history")
    page.get_by_role("button", name="Show the differences").click()
    expect(page.locator("#diff pre")).to_be_visible()
    check(page)


def test_an_edit_from_the_overview_to_a_saved_version_by_keyboard(
        site: WritingApi, open_page: Callable[..., Any]) -> None:
    page = open_page("/")
    expect(page.locator("#matrix")).to_be_visible()
    page.get_by_label("Filter brands").focus()
    page.keyboard.type("harbor")
    expect(page.locator("#matrix tbody tr:visible")).to_have_count(1)
    page.keyboard.press("Tab")  # the language field
    page.keyboard.press("Tab")  # the first cell of the one row left
    expect(page.locator("#matrix tbody tr:visible a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(site.server.url + "/#/p/harbor-bank/system_prompt")
    template = page.get_by_label("Template")
    expect(template).not_to_have_value("")
    template.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("Keep answers short.\n")
    page.get_by_role("button", name="Save…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("What did you change? (the commit message)")).to_be_focused()
    page.keyboard.press("Escape")  # cancels: nothing saved
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator("#save-result")).to_be_hidden()
    page.get_by_role("button", name="Save…").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("Shorter answers")
    page.keyboard.press("Tab")  # to the dialog's Save button
    page.keyboard.press("Enter")
    expect(page.locator("#save-result")).to_contain_text("Saved version 2")
    assert "Keep answers short." in site.repo.git(
        "show", "main:prompts/harbor-bank/system_prompt.yaml")
