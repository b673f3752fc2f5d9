"""The page as files: served at / under a strict Content-Security-Policy, no inline script or
style, nothing from another host, and no HTML built from data in its JavaScript."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from promptsync.web import STATIC_DIR
from tests.api.server import Running
from tests.support.gitrepo import PROJECT_ROOT

# Ways of putting a string into the document as HTML: none may appear in the page's code.
AS_HTML = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write"
                     r"|createContextualFragment|\beval\(|new Function")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self.tags and self.tags[-1][0] == "script":
            self.script_text += data.strip()


def test_the_page_is_served_at_the_root_with_a_strict_csp(api: Running) -> None:
    answer = api.client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_no_inline_script_or_style_and_nothing_from_another_host(api: Running) -> None:
    parsed = _Tags()
    parsed.feed(api.client.get("/").text)
    assert parsed.script_text == ""
    for tag, attrs in parsed.tags:
        assert tag != "style"
        assert "style" not in attrs, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert "//" not in value, f"{tag} {name}={value} loads from another host"
    scripts = [attrs for tag, attrs in parsed.tags if tag == "script"]
    assert scripts and all(a.get("type") == "module" and a.get("src") for a in scripts)


def test_every_module_and_the_stylesheet_are_served(api: Running) -> None:
    files = sorted(STATIC_DIR.rglob("*.js")) + sorted(STATIC_DIR.glob("*.css"))
    assert len(files) > 5
    for path in files:
        url = "/ui/" + path.relative_to(STATIC_DIR).as_posix()
        answer = api.client.get(url)
        assert answer.status_code == 200, url
        assert "content-security-policy" in answer.headers
        kind = "javascript" if path.suffix == ".js" else "css"
        assert kind in answer.headers["content-type"], url


def test_the_code_never_inserts_text_as_html() -> None:
    for path in STATIC_DIR.rglob("*.js"):
        found = AS_HTML.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name}: {found and found.group(0)}"


def test_every_static_file_ships_in_the_wheel() -> None:
    """A file of the page that no package-data pattern names is missing from an installed
    package, while the editable install of development hides it."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["promptsync"]
    shipped = {found for p in patterns for found in (PROJECT_ROOT / "sync" / "promptsync").glob(p)}
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            assert path in shipped, path.relative_to(PROJECT_ROOT)


@pytest.mark.skipif(shutil.which("node") is None, reason="no node to parse the modules with")
@pytest.mark.parametrize("module", sorted((STATIC_DIR / "js").glob("*.js")), ids=lambda p: p.name)
def test_every_module_parses(module: Path) -> None:
    # A module that does not parse leaves the whole page at "Loading…"; the browser tests run
    # only in the slow pass, so the default run says it at once (a merge once declared one
    # name twice).
    proc = subprocess.run(["node", "--experimental-default-type=module", "--check", str(module)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
