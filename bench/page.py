"""Benchmark the editors' page: the overview of a repository with 200+ prompts, in Chromium.

    python bench/page.py                 # 34 extra brands x 6 types beside the project's
    python bench/page.py --brands 80 --rounds 20

A temporary repository (the project's prompts plus `--brands` brands, each with its own six
prompts), synced into SQLite, served by the real app on uvicorn in this process; the system
Chromium (Debian package `chromium`) driven by Playwright. Reported: the time from asking for
the overview to the matrix being drawn, on a fresh load of the page and on a switch from a
prompt's page (modules already loaded), and the brand filter's time to redraw; and a keystroke
in a template of 10,000 characters (the most a template may hold): the editor's work before the
browser can paint it (its coloured copy, each wrapped line's height, the gutter); p50 and max.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402


def prepare(tmp: Path, brands: int) -> tuple[Path, str, int]:
    from tests.daemon.helpers import sync_once
    from tests.support.gitrepo import GitRepo

    for name, value in (("GIT_AUTHOR_NAME", "Bench"), ("GIT_AUTHOR_EMAIL", "b@example.com"),
                        ("GIT_COMMITTER_NAME", "Bench"), ("GIT_COMMITTER_EMAIL", "b@example.com")):
        os.environ.setdefault(name, value)
    repo = GitRepo.init(tmp / "repo")
    for n in range(brands):
        folder = repo.path / "prompts" / f"brand-{n:03d}"
        folder.mkdir()
        for base in (repo.path / "prompts" / "default").glob("*.yaml"):
            if base.name.count(".") == 1 and base.name != "brand.yaml":  # base texts only
                shutil.copy(base, folder / base.name)
    repo.commit("Many brands")
    db = f"sqlite:///{tmp / 'promptsync.db'}"
    if sync_once(repo, db) != 0:
        raise SystemExit("the sync of the benchmark's repository failed")
    prompts = sum(1 for _ in (repo.path / "prompts").rglob("*.yaml")) - \
        sum(1 for _ in (repo.path / "prompts").rglob("brand.yaml"))
    return repo.path, db, prompts


LINE = ("{% if user_name %}Hi {{ user_name }}{% else %}Hello{% endif %}, thanks for writing to "
        "{{ brand_name }}; {# why #}we answer every message as soon as we can, in order.\n")
LONG_TEMPLATE = (LINE * (10_000 // len(LINE) + 1))[:10_000]
# Typed at the end, one character each: the time from the input event to the editor's layout
# being done (the synchronous part: the browser paints right after).
KEYSTROKES = """(t, n) => {
  const times = [];
  for (let i = 0; i < n; i += 1) {
    t.value = t.value.slice(0, -1);
    const start = performance.now();
    t.setRangeText("x", t.value.length, t.value.length, "end");
    t.dispatchEvent(new Event("input", { bubbles: true }));
    times.push(performance.now() - start);
  }
  return times;
}"""


def timed(action, done) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    done()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brands", type=int, default=34)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    from tests.api.server import make_context, running

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        repo, db, prompts = prepare(tmp, args.brands)
        with running(make_context(repo, db, tmp / "keys.json")) as served, \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium")
                                         or shutil.which("chromium-browser"))
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            drawn, count = page.locator("#matrix"), page.locator("#brand-count")
            fresh, switch, filtering = [], [], []
            for _ in range(args.rounds):
                page.goto(served.url + "/#/p/default/greeting")
                page.locator("#template").wait_for()
                switch.append(timed(lambda: page.goto(served.url + "/#/"), drawn.wait_for))
                page.goto("about:blank")
                fresh.append(timed(lambda: page.goto(served.url + "/#/"), drawn.wait_for))
                filtering.append(timed(lambda: page.get_by_label("Filter brands").fill("brand-01"),
                                       lambda: count.filter(has_text="10 of").wait_for()))
                page.get_by_label("Filter brands").fill("")
            rows = page.locator("#matrix tbody tr").count()
            page.goto(served.url + "/#/p/default/greeting")
            page.locator("#template").fill(LONG_TEMPLATE)
            typing = page.locator("#template").evaluate(KEYSTROKES, args.rounds * 10)
            browser.close()
    print(f"{prompts} prompts, {rows} brands x 6 types, {args.rounds} rounds (ms)\n")
    print("| | p50 | max |\n|--|--:|--:|")
    for name, values in (("overview, fresh page load", fresh),
                         ("overview, from a prompt's page", switch),
                         ("brand filter redraw", filtering),
                         ("a keystroke in a 10,000-character template", typing)):
        print(f"| {name} | {statistics.median(values):.0f} | {max(values):.0f} |")


if __name__ == "__main__":
    main()
