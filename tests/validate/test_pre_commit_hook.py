"""The pre-commit hook runs `promptsync validate PATH...` the way pre-commit itself would."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.validate.corpus import Run, run_subprocess

HOOKS = PROJECT_ROOT / ".pre-commit-hooks.yaml"
BROKEN = """\
# yaml-language-server: $schema=../../schema/prompt.schema.json
type: GREETING
version: 1
template: |
  Hi {{ usr_name }}!
"""


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return dict(next(h for h in hooks if h["id"] == "promptsync-validate"))


def run_hook(repo: GitRepo, *, all_files: bool = False) -> Run:
    """Select files as pre-commit does (staged, or all tracked), then run the entry on them."""
    spec = hook()
    listing = (repo.git("ls-files") if all_files
               else repo.git("diff", "--cached", "--name-only", "--diff-filter=ACMR"))
    paths = [p for p in listing.splitlines() if re.search(spec["files"], p)]
    command, *args = shlex.split(spec["entry"])
    assert command == "promptsync"
    return run_subprocess(*args, *(paths if spec["pass_filenames"] else []), cwd=repo.path)


def test_the_hook_is_declared_as_issue_2_says() -> None:
    spec = hook()
    assert spec["entry"] == "promptsync validate"
    assert spec["language"] == "python"
    assert spec["files"] == "^(prompts|schema)/"
    assert spec["pass_filenames"] is True
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert shlex.split(spec["entry"])[0] in scripts


@pytest.mark.timeout(60)
def test_a_staged_broken_prompt_fails_the_commit(prompt_repo: GitRepo) -> None:
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN)
    prompt_repo.bump("prompts/default/farewell.yaml", "", "")  # only the version
    prompt_repo.git("add", "-A")
    run = run_hook(prompt_repo)
    assert run.code == 1, run.out + run.err
    assert "prompts/acme/greeting.yaml:5:9: error:" in run.out
    assert "[variable-undeclared]" in run.out
    assert "prompts/default/farewell.yaml:" not in run.out  # the bump alone is fine
    # The two staged files and the translations whose findings the bump moves.
    assert "(1 file with errors, 4 checked)" in run.out


@pytest.mark.timeout(60)
def test_staged_good_prompts_pass(prompt_repo: GitRepo) -> None:
    prompt_repo.bump("prompts/harbor-bank/greeting.yaml", "", "")  # only the version
    prompt_repo.write("README.md", "not a prompt")
    prompt_repo.git("add", "-A")
    run = run_hook(prompt_repo)
    assert run.code == 0, run.out + run.err
    assert run.out.startswith("all good: 1 prompt files checked")


@pytest.mark.timeout(60)
def test_staging_only_a_base_text_warns_that_its_translations_went_stale(
        prompt_repo: GitRepo) -> None:
    # What a whole-tree run says about the translations, the hook says too: the related-files
    # rule puts the translations of a staged base text in the check.
    prompt_repo.bump("prompts/default/farewell.yaml", "", "")  # only the version
    prompt_repo.git("add", "-A")
    run = run_hook(prompt_repo)
    assert run.code == 0, run.out + run.err
    stale = [line for line in run.out.splitlines() if "[stale-translation]" in line]
    assert [line.split(":", 1)[0] for line in stale] == [
        "prompts/default/farewell.de.yaml", "prompts/default/farewell.fr.yaml"]
    assert run.out.endswith("0 errors, 2 warnings (0 files with errors, 3 checked)\n")


@pytest.mark.timeout(60)
def test_a_staged_schema_file_alone_is_accepted(prompt_repo: GitRepo) -> None:
    path = prompt_repo.path / "schema" / "variables.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    prompt_repo.git("add", "-A")
    run = run_hook(prompt_repo)
    assert run.code == 0, run.out + run.err


@pytest.mark.timeout(60)
def test_a_staged_rule_change_rechecks_every_prompt(prompt_repo: GitRepo) -> None:
    # Taking agent_name away from greetings breaks prompts that are not staged.
    path = prompt_repo.path / "schema" / "variables.yaml"
    text = path.read_text(encoding="utf-8")
    narrowed = text.replace("types: [GREETING, HANDOFF, SYSTEM_PROMPT, FAREWELL]",
                            "types: [HANDOFF, SYSTEM_PROMPT, FAREWELL]")
    assert narrowed != text
    path.write_text(narrowed, encoding="utf-8")
    prompt_repo.git("add", "-A")
    run = run_hook(prompt_repo)
    assert run.code == 1, run.out + run.err
    assert "prompts/default/greeting.yaml:" in run.out
    assert "[variable-not-allowed]" in run.out


@pytest.mark.timeout(60)
def test_all_files_mode_checks_the_whole_tree(prompt_repo: GitRepo) -> None:
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN)
    prompt_repo.write("prompts/zeta/farewell.yaml", BROKEN.replace("GREETING", "FAREWELL"))
    prompt_repo.commit("Two broken prompts")
    run = run_hook(prompt_repo, all_files=True)
    assert run.code == 1
    assert "prompts/acme/greeting.yaml:5:" in run.out
    assert "prompts/zeta/farewell.yaml:5:" in run.out
    prompt_files = len(list((prompt_repo.path / "prompts").rglob("*.yaml")))
    assert f"{prompt_files} checked" in run.out


@pytest.mark.timeout(60)
def test_paths_from_a_subfolder_resolve_against_the_working_directory(
        prompt_repo: GitRepo, tmp_path: Path) -> None:
    # An editor running the command by hand from prompts/acme, naming the file they edit.
    prompt_repo.write("prompts/acme/greeting.yaml", BROKEN)
    run = run_subprocess("validate", "--repo", str(prompt_repo.path), "greeting.yaml",
                         cwd=prompt_repo.path / "prompts" / "acme")
    assert run.code == 1
    assert "prompts/acme/greeting.yaml:5:9:" in run.out
