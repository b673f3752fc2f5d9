"""`preview --locale` renders what a customer asking in a locale is served, and the pull
request's comment lists what a change reaches: the (brand, locale) pairs served another text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.languages.files import BASE, BASE_TEXT, BRAND_FILE, BRAND_TEXT, GERMAN, translation
from tests.support.gitrepo import GitRepo
from tests.validate.corpus import Run, run_cli

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """The project's prompts plus acme, an English farewell of its own and nothing else."""
    repo = GitRepo.init(tmp_path / "repo")
    repo.write(BASE, BASE_TEXT)
    repo.commit("acme")
    return repo


def preview(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> Run:
    return run_cli(capsys, "preview", "--repo", str(repo.path), *args)


@pytest.mark.parametrize(("prompt", "locale", "said", "first_line"), [
    ("northwind/greeting", "fr_CA", "northwind/greeting in fr-CA: answered by "
     "northwind/greeting.fr", "Bonjour — bienvenue chez Northwind Outfitters !"),
    ("harbor-bank/greeting", "de-CH", "harbor-bank/greeting in de-CH: answered by "
     "default/greeting.de (harbor-bank has no de text of its own)", "Hallo, willkommen bei "),
    ("acme/farewell", "it", "acme/farewell in it: answered by acme/farewell (en), a language "
     "fallback: neither acme nor default has a text in it", "Thanks for chatting with Globex!"),
])
def test_locale_renders_what_the_runtime_serves_and_says_who_answered(
        repo: GitRepo, capsys: pytest.CaptureFixture[str], prompt: str, locale: str, said: str,
        first_line: str) -> None:
    run = preview(capsys, repo, prompt, "--locale", locale, "--var", "brand_name=Globex")
    assert run.code == 0, run.err
    assert run.err.strip() == said
    assert run.out.startswith(first_line.replace("Northwind Outfitters", "Globex"))


def test_a_translation_without_samples_previews_with_its_base_samples(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(GERMAN, translation())  # no samples of its own
    repo.write(BASE, BASE_TEXT.replace("template:", "samples:\n  - name: shop\n    context: "
                                       "{brand_name: Acme}\ntemplate:"))
    run = preview(capsys, repo, "acme/farewell.de", "--sample", "shop")
    assert (run.code, run.out) == (0, "Vielen Dank, Acme!\n")
    run = preview(capsys, repo, "acme/farewell", "--locale", "de-AT", "--sample", "shop")
    assert (run.code, run.out) == (0, "Vielen Dank, Acme!\n")


@pytest.mark.parametrize(("args", "message"), [
    (("northwind/greeting.de", "--locale", "fr"), "name the prompt without its locale"),
    (("northwind/greeting", "--locale", "xx_yy_zz"), "--locale: 'xx_yy_zz' is not a locale tag"),
])
def test_bad_locale_arguments_exit_2(repo: GitRepo, capsys: pytest.CaptureFixture[str],
                                     args: tuple[str, ...], message: str) -> None:
    run = preview(capsys, repo, *args)
    assert run.code == 2 and message in run.err


def changed(capsys: pytest.CaptureFixture[str], repo: GitRepo, form: str) -> str:
    run = run_cli(capsys, "preview", "--changed", "--base", "main", "--repo", str(repo.path),
                  "--format", form)
    assert run.code == 0, run.err
    return run.out


def test_the_comment_lists_every_brand_and_locale_a_default_translation_reaches(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.git("checkout", "-q", "-b", "edit")
    repo.bump("prompts/default/greeting.de.yaml", "Wie kann ich Ihnen heute helfen?",
              "Womit kann ich Ihnen heute helfen?")
    md = changed(capsys, repo, "markdown")
    # northwind has its own German greeting: not reached. acme and harbor-bank have none.
    assert "#### What this change reaches: 3 brand and locale pairs\n" in md
    assert ("| Brand | Locale | Prompt: answered by |\n|:--|:--|:--|\n"
            "| `acme` | `de` | greeting: `default/greeting.de` (edited) |\n"
            "| `default` | `de` | greeting: `default/greeting.de` (edited) |\n"
            "| `harbor-bank` | `de` | greeting: `default/greeting.de` (edited) |\n") in md
    text = changed(capsys, repo, "text")
    assert "what this change reaches: 3 brand and locale pair(s) are served another text\n" \
        "  acme de: greeting (default/greeting.de, edited)\n" in text


def test_a_new_translation_reaches_its_brand_and_each_declared_region(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.git("checkout", "-q", "-b", "edit")
    repo.write(BRAND_FILE, BRAND_TEXT.replace("[de, fr]", "[de, de-CH, fr]"))
    repo.write(GERMAN, translation())
    md = changed(capsys, repo, "markdown")
    assert "| `acme` | `de` | farewell: `default/farewell.de` → `acme/farewell.de` |" in md
    assert "| `acme` | `de-CH` | farewell: `default/farewell.de` → `acme/farewell.de` |" in md
    assert "What this change reaches: 2 brand and locale pairs" in md
