"""`validate` on translations and brand files: every mistake a finding with its place and code,
a stale translation a warning that shows what changed in the base text (from real git)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.languages.files import (
    BASE,
    BASE_TEXT,
    BRAND_FILE,
    BRAND_TEXT,
    GERMAN,
    GERMAN_TEXT,
    translation,
)
from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.validate.corpus import Run, run_cli

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write(BRAND_FILE, BRAND_TEXT)
    repo.write(BASE, BASE_TEXT)
    repo.write(GERMAN, GERMAN_TEXT)
    repo.commit("acme speaks German")
    return repo


def validate(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> Run:
    return run_cli(capsys, "validate", "--repo", str(repo.path), "--no-cache", *args)


def acme_findings(capsys: pytest.CaptureFixture[str], repo: GitRepo) -> list[tuple[str, int, str]]:
    run = validate(capsys, repo, "--format", "json")
    return [(f["path"], f["line"], f["code"]) for f in run.findings
            if f["path"].startswith("prompts/acme/")]


def test_a_translation_and_a_brand_file_pass(repo: GitRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert acme_findings(capsys, repo) == []


@pytest.mark.parametrize(("text", "line", "code"), [
    (translation(locale="fr"), 3, "locale-mismatch"),
    (translation(locale="DE"), 3, "locale-malformed"),
    (translation(locale=""), 1, "locale-missing"),
    (translation(translated_from=0), 1, "translated-from-missing"),
    (translation(translated_from=2), 4, "translated-from-ahead"),
    (translation(variables="  brand_name:\n    type: string\n    required: true\n"
                 "  agent_name:\n    type: string\n    default: ''\n",
                 template="{{ agent_name }} von {{ brand_name }}"), 9, "translation-variable"),
], ids=["mismatch", "malformed", "missing-locale", "missing-translated-from", "ahead",
        "variable-not-in-base"])
def test_a_broken_translation_is_an_error_at_its_line(
        repo: GitRepo, capsys: pytest.CaptureFixture[str], text: str, line: int,
        code: str) -> None:
    repo.write(GERMAN, text)
    assert acme_findings(capsys, repo) == [(GERMAN, line, code)]
    assert validate(capsys, repo).code == 1


def test_a_locale_the_brand_does_not_serve_is_an_error(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("prompts/acme/farewell.it.yaml", translation(locale="it"))
    run = validate(capsys, repo)
    assert run.code == 1
    assert "prompts/acme/farewell.it.yaml:3:1: error: brand 'acme' does not serve it " \
           "(its locales: de, fr)" in run.out
    # A region of a declared language is served: declaring de covers de-CH.
    shutil.move(repo.path / "prompts/acme/farewell.it.yaml",
                repo.path / "prompts/acme/farewell.de-CH.yaml")
    repo.write("prompts/acme/farewell.de-CH.yaml", translation(locale="de-CH"))
    assert acme_findings(capsys, repo) == []


def test_the_language_keys_in_a_base_file_are_errors(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(BASE, BASE_TEXT.replace("version: 1\n", "version: 1\nlocale: en\n"
                                       "translated_from: 1\n"))
    assert acme_findings(capsys, repo) == [(BASE, 4, "locale-in-base"),
                                           (BASE, 5, "translated-from-in-base")]


def test_a_translation_without_any_base_text_is_an_error(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.path / BASE).unlink()
    (repo.path / "prompts/default/farewell.yaml").unlink()
    run = validate(capsys, repo)
    assert f"{GERMAN}:1:1: error: acme/farewell.de has no base text to translate: neither " \
        f"{BASE} nor prompts/default/farewell.yaml exists" in run.out
    assert run.code == 1


def test_a_brand_without_its_own_base_text_translates_defaults(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """A brand may override only its German farewell: the base it translates is then the text
    it serves without a locale, default's, and translated_from counts default's versions."""
    (repo.path / BASE).unlink()
    assert acme_findings(capsys, repo) == []
    repo.write(GERMAN, translation(translated_from=2))
    run = validate(capsys, repo)
    assert "translated_from is 2, but prompts/default/farewell.yaml is only at version 1" \
        in run.out


def test_a_misspelt_tag_in_a_file_name_says_the_right_name(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("prompts/acme/farewell.de_CH.yaml", translation(locale="de-CH"))
    run = validate(capsys, repo)
    assert "prompts/acme/farewell.de_CH.yaml:1:1: error: 'de_CH' in the file name is not a " \
           "locale tag" in run.out
    assert "(rename the file to farewell.de-CH.yaml) [locale-malformed]" in run.out


@pytest.mark.parametrize(("text", "line", "code"), [
    ("language: en\nlocales: [de, fr_CA]\n", 2, "locale-malformed"),
    ("language: EN\n", 1, "locale-malformed"),
    ("language: en\nlocale: [de]\n", 2, "schema-additional-properties"),
    ("locales: de\n", 1, "schema-type"),
    ("locales: [de, de]\n", 1, "schema-unique-items"),
])
def test_a_broken_brand_file_is_an_error_at_its_line(
        repo: GitRepo, capsys: pytest.CaptureFixture[str], text: str, line: int,
        code: str) -> None:
    repo.write(BRAND_FILE, text)
    assert [f for f in acme_findings(capsys, repo) if f[0] == BRAND_FILE] == \
        [(BRAND_FILE, line, code)]


def test_a_brand_file_needs_the_brand_schema(repo: GitRepo,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (repo.path / "schema/brand.schema.json").unlink()
    run = validate(capsys, repo)
    assert f"{BRAND_FILE}:1:1: error: schema/brand.schema.json is missing" in run.out


def make_stale(repo: GitRepo) -> None:
    repo.bump(BASE, "Have a great day.", "Have a wonderful day.")
    repo.commit("Warmer farewell")


def test_a_stale_translation_warns_with_both_versions_and_the_change(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    make_stale(repo)
    run = validate(capsys, repo)
    assert run.code == 0
    assert (f"{GERMAN}:5:1: warning: stale translation: made from version 1 of {BASE}, which is "
            "now at version 2; what changed in its text since version 1: (carry the change "
            "over, then set translated_from: 2) [stale-translation]\n"
            "    --- version 1\n"
            "    +++ version 2\n") in run.out
    assert "    -Have a great day.\n    +Have a wonderful day.\n" in run.out
    # In a long line, the words are what a translator has to find.
    assert '    changed words: -"great" +"wonderful"\n' in run.out
    assert validate(capsys, repo, "--strict").code == 1
    assert validate(capsys, repo, "--strict", "--allow", "stale-translation").code == 0
    # The translator carries the change over: no warning any more.
    repo.write(GERMAN, GERMAN_TEXT.replace("translated_from: 1", "translated_from: 2")
               .replace("version: 1", "version: 2"))
    assert acme_findings(capsys, repo) == []


def test_allow_names_a_code_that_exists(repo: GitRepo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    run = validate(capsys, repo, "--strict", "--allow", "stale-translations")
    assert run.code == 2
    assert "no finding has that code (did you mean 'stale-translation'?)" in run.err


def test_a_stale_translation_without_git_history_says_so(
        repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_stale(repo)
    plain = tmp_path / "plain"
    shutil.copytree(repo.path / "prompts", plain / "prompts")
    shutil.copytree(repo.path / "schema", plain / "schema")
    run = run_cli(capsys, "validate", "--repo", str(plain), "--no-cache")
    assert "now at version 2; no git history here to show what changed since version 1" \
        in run.out


def test_a_stale_translation_in_a_repository_with_no_commit_yet_says_so(
        repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `git log HEAD` fails before the first commit: that is no history, not a git error.
    make_stale(repo)
    fresh = tmp_path / "fresh"
    shutil.copytree(repo.path / "prompts", fresh / "prompts")
    shutil.copytree(repo.path / "schema", fresh / "schema")
    GitRepo(tmp_path).git("init", "-q", str(fresh))
    run = run_cli(capsys, "validate", "--repo", str(fresh), "--no-cache")
    assert f"version 1 of {BASE} is not in the git history of HEAD, so the change cannot be " \
        "shown" in run.out


def test_a_stale_translation_in_a_shallow_clone_says_so(
        repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_stale(repo)
    clone = tmp_path / "clone"
    GitRepo(tmp_path).git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    run = run_cli(capsys, "validate", "--repo", str(clone), "--no-cache")
    assert f"version 1 of {BASE} is not in this shallow clone's history" in run.out
    assert "git fetch --unshallow" in run.out


def test_a_translation_must_bump_its_version_like_any_prompt(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.git("checkout", "-q", "-b", "edit")
    repo.write(GERMAN, GERMAN_TEXT.replace("Einen schönen Tag noch.", "Auf Wiedersehen."))
    run = validate(capsys, repo, "--base", "main")
    assert f"{GERMAN}:3:1: error: acme/farewell.de was changed but its version is still 1" \
        in run.out
    repo.write("prompts/acme/farewell.fr.yaml", translation(locale="fr").replace(
        "version: 1", "version: 2"))
    run = validate(capsys, repo, "--base", "main")
    assert "acme/farewell.fr is new (the base has no such prompt), so its version must be 1" \
        in run.out


def test_the_project_schema_describes_every_language_key() -> None:
    # Editors get these words as completion help (yaml-language-server).
    import json
    prompt = json.loads((PROJECT_ROOT / "schema/prompt.schema.json").read_text())
    brand = json.loads((PROJECT_ROOT / "schema/brand.schema.json").read_text())
    for schema, keys in ((prompt, ("locale", "translated_from")), (brand, ("language", "locales"))):
        for key in keys:
            assert len(schema["properties"][key]["description"]) > 80
            assert schema["properties"][key]["examples"]


def test_a_named_translation_is_checked_against_its_base_and_brand(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """pre-commit names only the staged files: a translation is still checked against its
    base text and its brand's locales, which are read but not reported."""
    repo.write(BASE, BASE_TEXT.replace("  user_name:\n    type: string\n    default: \"\"\n",
                                       "  user_name:\n    type: string\n    default: \"\"\n"
                                       "  agent_name:\n    type: string\n    default: \"\"\n"))
    repo.write(GERMAN, translation(translated_from=2))
    run = run_cli(capsys, "validate", str(repo.path / GERMAN), "--repo", str(repo.path),
                  "--no-cache", "--format", "json")
    assert [(f["path"], f["code"]) for f in run.findings] == [(GERMAN, "translated-from-ahead")]
    assert run.payload["files_checked"] == 1
    repo.write(GERMAN, translation(locale="it"))
    run = run_cli(capsys, "validate", str(repo.path / GERMAN), "--repo", str(repo.path),
                  "--no-cache")
    assert "locale-mismatch" in run.out
    repo.write("prompts/acme/farewell.it.yaml", translation(locale="it"))
    run = run_cli(capsys, "validate", str(repo.path / "prompts/acme/farewell.it.yaml"),
                  "--repo", str(repo.path), "--no-cache")
    assert "brand 'acme' does not serve it" in run.out


def test_a_brand_schema_named_alone_rechecks_every_brand_file(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """pre-commit passes only the staged schema: new rules can break any brand file."""
    path = repo.path / "schema/brand.schema.json"
    path.write_text(path.read_text().replace('"uniqueItems": true,',
                                             '"uniqueItems": true,\n      "maxItems": 1,'))
    run = run_cli(capsys, "validate", str(path), "--repo", str(repo.path), "--no-cache")
    assert run.code == 1
    assert f"{BRAND_FILE}:3:10: error: locales: " in run.out
    assert "[schema-max-items]" in run.out


def test_the_stale_diff_stays_inside_one_github_annotation(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    make_stale(repo)
    run = validate(capsys, repo, "--format", "github")
    [line] = [x for x in run.out.splitlines() if f"file={GERMAN}," in x]
    assert line.startswith(f"::warning file={GERMAN},line=5,col=1,title=stale-translation::")
    assert "%0A    -Have a great day.%0A    +Have a wonderful day." in line
