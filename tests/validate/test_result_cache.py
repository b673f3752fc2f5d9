"""The blob-keyed result cache and the process pool must never change what validation reports."""

from __future__ import annotations

import json
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from promptsync.cli.main import main
from promptsync.tree import from_directory
from promptsync.validate import Validator, file_check, result_cache, result_json
from promptsync.validate.file_check import FileResult
from promptsync.validate.result_cache import MAX_AGE_DAYS, ResultCache
from tests.support.gitrepo import PROJECT_ROOT, GitRepo, project_prompt_count

BROKEN_GREETING = """type: GREETING
version: 1
template: |
  Hello {{ usr_name }}
"""


def held(cache: ResultCache, key: str) -> FileResult | None:
    found = cache.get(key)
    return found.decoded() if found is not None else None


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["validate", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_second_run_reads_the_cache_and_reports_the_same(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN_GREETING)
    first = run_json(capsys, "--repo", str(prompt_repo.path))
    cache = prompt_repo.path / ".git" / "promptsync" / "validate-cache.json"
    assert cache.exists()
    second = run_json(capsys, "--repo", str(prompt_repo.path))
    assert first == second
    assert first[0] == 1
    # (the project's prompts, which the repository holds too, have one stale translation)
    assert {f["code"] for f in first[1]["findings"]} == {"variable-undeclared",
                                                         "stale-translation"}


def test_an_edited_file_is_checked_again(prompt_repo: GitRepo,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--repo", str(prompt_repo.path))[0] == 0
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN_GREETING)
    code, out = run_json(capsys, "--repo", str(prompt_repo.path))
    assert code == 1
    assert out["findings"][0]["path"] == "prompts/acme/greeting.yaml"


def test_a_stricter_schema_rechecks_unchanged_files(prompt_repo: GitRepo,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--repo", str(prompt_repo.path))[0] == 0
    schema_path = prompt_repo.path / "schema" / "prompt.schema.json"
    schema = json.loads(schema_path.read_text())
    schema["properties"]["description"]["maxLength"] = 5
    schema_path.write_text(json.dumps(schema))
    code, out = run_json(capsys, "--repo", str(prompt_repo.path))
    assert code == 1
    assert {f["code"] for f in out["findings"]} == {"schema-max-length"}


def test_a_damaged_cache_file_only_costs_time(prompt_repo: GitRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cache = prompt_repo.path / ".git" / "promptsync" / "validate-cache.json"
    cache.parent.mkdir(parents=True)
    cache.write_text('{"format": 1, "entries": {"x": 3')
    assert run_json(capsys, "--repo", str(prompt_repo.path))[0] == 0


def test_a_truncated_cache_file_is_rebuilt(prompt_repo: GitRepo,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # What a full disk or a killed run leaves: the start of a good file.
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN_GREETING)
    repo = str(prompt_repo.path)
    first = run_json(capsys, "--repo", repo)
    cache = prompt_repo.path / ".git" / "promptsync" / "validate-cache.json"
    whole = cache.read_bytes()
    for cut in (len(whole) // 2, whole.index(b"\n") + 10):
        cache.write_bytes(whole[:cut])
        assert run_json(capsys, "--repo", repo) == first
        assert len(ResultCache(cache)._entries) == first[1]["files_checked"]


@pytest.mark.parametrize("example", ["valid/translation-with-variants",
                                     "invalid/translation-variants-other-weights"])
def test_a_run_from_the_cache_reports_and_holds_what_the_checks_gave(tmp_path: Path,
                                                                     example: str) -> None:
    # Every prompt the cache gives back is the one the checks made, its variants included (a
    # cached base text lost them, and its translation's variants were then said not to match).
    shutil.copytree(PROJECT_ROOT / "schema", tmp_path / "schema")
    shutil.copytree(PROJECT_ROOT / "prompts", tmp_path / "prompts")
    shutil.copytree(PROJECT_ROOT / "tests" / "examples" / example / "prompts",
                    tmp_path / "prompts", dirs_exist_ok=True)
    files = from_directory(tmp_path)
    path = tmp_path / "validate-cache.json"
    store = ResultCache(path)
    checked = Validator(workers=1, store=store).validate(files)
    store.save()
    cached = Validator(workers=1, store=ResultCache(path)).validate(files)
    assert cached.findings == checked.findings
    assert dict(cached.prompts) == dict(checked.prompts)
    assert any(doc.variants for doc in cached.prompts.values())


def test_the_process_pool_reports_what_one_process_reports(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "schema", tmp_path / "schema")
    shutil.copytree(root / "prompts", tmp_path / "prompts")
    greeting = (root / "prompts/default/greeting.yaml").read_text()
    for i in range(450):
        target = tmp_path / "prompts" / f"b{i:03d}" / "greeting.yaml"
        target.parent.mkdir()
        target.write_text(BROKEN_GREETING if i == 321 else greeting)
    files = from_directory(tmp_path)
    pooled = Validator(workers=2).validate(files)
    single = Validator(workers=1).validate(files)
    assert pooled.findings == single.findings
    assert [f.path for f in pooled.errors] == ["prompts/b321/greeting.yaml"]
    assert len(pooled.prompts) == len(single.prompts) == 450 + project_prompt_count() - 1


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the Validator really checks (a cached file is not checked)."""
    checked: list[str] = []
    real = file_check.check_file

    def spy(path: str, *args: Any) -> Any:
        checked.append(path)
        return real(path, *args)

    # The Validator imports check_file from file_check when it has a file to check.
    monkeypatch.setattr(file_check, "check_file", spy)
    return checked


def test_a_partial_run_keeps_the_results_of_the_full_run(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    checked = _count_checks(monkeypatch)
    repo = str(prompt_repo.path)
    assert run_json(capsys, "--repo", repo)[0] == 0
    everything = len(checked)
    assert everything > 10
    # What pre-commit runs: one staged file. Only it is checked...
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN_GREETING)
    checked.clear()
    assert run_json(capsys, "--repo", repo, str(prompt_repo.path / "prompts/acme/greeting.yaml")
                    )[0] == 1
    assert checked == ["prompts/acme/greeting.yaml"]
    # ... and the next full run finds every file in the cache, the edited one too.
    checked.clear()
    code, out = run_json(capsys, "--repo", repo)
    assert (code, checked) == (1, [])
    assert out["files_checked"] == everything + 1


def test_entries_no_run_used_for_a_month_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "validate-cache.json"
    result = FileResult("prompts/acme/greeting.yaml", ())
    first = ResultCache(path, today=100)
    first.put("stale", result)
    first.put("used", result)
    first.save()
    second = ResultCache(path, today=110)  # a run ten days later uses one of them
    assert held(second, "used") == result
    second.save()
    third = ResultCache(path, today=101 + MAX_AGE_DAYS)
    third.save()
    after = ResultCache(path, today=101 + MAX_AGE_DAYS)
    assert (held(after, "stale"), held(after, "used")) == (None, result)


def test_a_hand_edited_cache_cannot_make_a_bad_file_pass(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN_GREETING)
    repo = str(prompt_repo.path)
    assert run_json(capsys, "--repo", repo, "--strict")[0] == 1
    cache = prompt_repo.path / ".git" / "promptsync" / "validate-cache.json"
    text = cache.read_text(encoding="utf-8")
    # Someone "fixes" CI by blanking the findings the cache holds for the broken file.
    edited, count = re.subn(r'\t\[\{[^\t]*usr_name[^\t]*\]\t', '\t[]\t', text)
    assert count == 1
    cache.write_text(edited, encoding="utf-8")
    code, out = run_json(capsys, "--repo", repo, "--strict")
    assert code == 1
    assert {f["code"] for f in out["findings"]} == {"variable-undeclared", "stale-translation"}


def test_any_key_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "validate-cache.json"
    result = FileResult("prompts/acme/greeting.yaml", ())
    keys = ["plain:key", 'a "quoted"\tkey', "prompts/k\u00fcche/gr\u00fc\u00dfe.yaml",
            "back\\slash"]
    cache = ResultCache(path)
    for key in keys:
        cache.put(key, result)
    cache.save()
    again = ResultCache(path)
    assert [held(again, key) for key in keys] == [result] * len(keys)


def test_a_cache_written_by_another_validator_is_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "validate-cache.json"
    result = FileResult("prompts/acme/greeting.yaml", ())
    cache = ResultCache(path)
    cache.put("key", result)
    cache.save()
    assert held(ResultCache(path), "key") == result
    assert stat.S_IMODE(path.with_suffix(".key").stat().st_mode) == 0o600
    monkeypatch.setattr(result_cache, "validator_digest", lambda: "an-upgraded-validator")
    assert ResultCache(path).get("key") is None


def test_a_full_in_memory_cache_keeps_what_is_used_not_what_came_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The daemon keeps one Validator for its life: after the cache filled once, every file
    # that changed later was checked on every commit.
    shutil.copytree(PROJECT_ROOT / "schema", tmp_path / "schema")
    shutil.copytree(PROJECT_ROOT / "prompts", tmp_path / "prompts")
    files = [f for f in from_directory(tmp_path) if f.path.startswith("prompts/")]
    rules = [f for f in from_directory(tmp_path) if f.path.startswith("schema/")]
    validator = Validator(workers=1, cache_size=3)
    validator.validate([*rules, *files], whole_tree=False)
    checked = _count_checks(monkeypatch)
    latest = files[-3:]  # the files the daemon sees change now
    validator.validate([*rules, *latest], whole_tree=False)
    validator.validate([*rules, *latest], whole_tree=False)
    assert checked == []


def test_the_version_check_of_a_cached_run_decodes_only_what_changed(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A file whose blob is the base's passes the version rule unread; decoding every cached
    # prompt for it made a whole-tree run with a base cost what a cold one does.
    decoded: list[str] = []
    real = result_json.StoredResult.load_prompt

    def counted(self: result_json.StoredResult) -> Any:
        decoded.append(self.path)
        return real(self)

    repo = str(prompt_repo.path)
    assert run_json(capsys, "--repo", repo)[0] == 0  # fills the cache
    monkeypatch.setattr(result_json.StoredResult, "load_prompt", counted)
    assert run_json(capsys, "--repo", repo)[0] == 0
    without_base = sorted(decoded)
    decoded.clear()
    assert run_json(capsys, "--repo", repo, "--base", "HEAD")[0] == 0
    assert sorted(decoded) == without_base  # the version check decoded nothing more
    assert len(without_base) < project_prompt_count()
    # An unbumped edit is still found: the changed file is checked, cached or not.
    prompt_repo.write("prompts/harbor-bank/greeting.yaml",
                      prompt_repo.read("prompts/harbor-bank/greeting.yaml") + "# edited\n")
    code, out = run_json(capsys, "--repo", repo, "--base", "HEAD")
    assert code == 1
    assert [f["code"] for f in out["findings"]
            if f["path"] == "prompts/harbor-bank/greeting.yaml"] == ["version-not-bumped"]


UNSAFE_PATTERN = '"pattern": "^(?=x)"'


@pytest.mark.parametrize("named", [False, True])
def test_a_cached_run_sees_a_schema_edit_that_breaks_the_rules(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str], named: bool) -> None:
    # The cache knows these rules load cleanly (a run of cached files then reads no schema):
    # an edit makes them other rules, which are checked again and reported with their place.
    repo = str(prompt_repo.path)
    greeting = str(prompt_repo.path / "prompts/northwind/greeting.yaml")
    assert run_json(capsys, "--repo", repo)[0] == 0
    assert run_json(capsys, "--repo", repo, greeting)[0] == 0
    schema_path = prompt_repo.path / "schema" / "prompt.schema.json"
    text = schema_path.read_text()
    line = text.splitlines().index(next(s for s in text.splitlines() if '"version": {' in s)) + 2
    lines = text.splitlines(keepends=True)
    indent = " " * (len(lines[line - 1]) - len(lines[line - 1].lstrip()))
    lines.insert(line - 1, f"{indent}{UNSAFE_PATTERN},\n")
    schema_path.write_text("".join(lines))
    args = ["--repo", repo, greeting] if named else ["--repo", repo]
    code, out = run_json(capsys, *args)
    assert code == 1
    assert [(f["path"], f["line"], f["code"]) for f in out["findings"]] == [
        ("schema/prompt.schema.json", line, "rules-invalid")]
    assert "cannot be checked safely" in out["findings"][0]["message"]
    # Put back, the rules are the ones the cache vouched for: clean again.
    schema_path.write_text(text)
    assert run_json(capsys, *args)[0] == 0


def test_the_rules_verdict_is_kept_beside_the_results_and_checked_by_digest(
        tmp_path: Path) -> None:
    path = tmp_path / "validate-cache.json"
    cache = ResultCache(path, today=100)
    assert not cache.rules_load("a" * 64)
    cache.remember_rules_load("a" * 64)
    cache.save()
    again = ResultCache(path, today=100 + MAX_AGE_DAYS)
    assert again.rules_load("a" * 64) and not again.rules_load("b" * 64)
    assert again._entries == {}  # not a result: a run counts its results
    again.save()  # used today: kept another month
    assert ResultCache(path, today=100 + 2 * MAX_AGE_DAYS).rules_load("a" * 64)
    later = ResultCache(path, today=101 + 2 * MAX_AGE_DAYS)
    later.put("k", FileResult("prompts/acme/greeting.yaml", ()))
    later.save()  # a month unused: gone
    assert not ResultCache(path, today=101 + 2 * MAX_AGE_DAYS).rules_load("a" * 64)


def test_a_file_checked_under_rules_the_cache_vouched_for_gets_worded_schema_findings(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    # Rules loaded without their meta-schema check (the cache says they pass it) still give a
    # file that fails the schema its findings in words, with their place.
    repo = str(prompt_repo.path)
    assert run_json(capsys, "--repo", repo)[0] == 0
    prompt_repo.write("prompts/acme/greeting.yaml", "type: GREETING\nversion: 1\n"
                      "template: Hello\ntemplte: Hi\n")
    code, out = run_json(capsys, "--repo", repo, str(prompt_repo.path / "prompts/acme"))
    assert code == 1
    assert [(f["line"], f["code"], f["message"], f["hint"]) for f in out["findings"]] == [
        (4, "schema-additional-properties", "unknown key 'templte'", "did you mean 'template'?")]


def test_a_linked_worktree_keeps_its_own_cache(
        prompt_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # `git worktree add` leaves a `.git` file naming the tree's own git directory: pre-commit
    # there must read a cache as in the main checkout, and not the main checkout's.
    tree = tmp_path / "feature"
    prompt_repo.git("worktree", "add", "-q", str(tree), "-b", "feature")
    checked = _count_checks(monkeypatch)
    assert run_json(capsys, "--repo", str(tree))[0] == 0
    assert checked
    own = prompt_repo.path / ".git" / "worktrees" / "feature" / "promptsync"
    assert (own / "validate-cache.json").exists()
    assert not (prompt_repo.path / ".git" / "promptsync").exists()
    checked.clear()
    (tree / "prompts/acme").mkdir(parents=True, exist_ok=True)
    (tree / "prompts/acme/greeting.yaml").write_text(BROKEN_GREETING, encoding="utf-8")
    assert run_json(capsys, "--repo", str(tree))[0] == 1
    assert checked == ["prompts/acme/greeting.yaml"]
