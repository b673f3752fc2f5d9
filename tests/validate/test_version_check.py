"""The --base version rule: the pure function, the base reader and `validate --base` end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.validate import codes
from promptsync.validate.base_ref import base_versions, choose_base
from promptsync.validate.version_check import BaseVersion, check_versions
from tests.support.editing import GREETING, cli
from tests.support.gitrepo import GitRepo

ACME = PromptId("acme", PromptType.GREETING)


def doc(version: int, blob: str = "b2", line: int = 3) -> PromptDoc:
    return PromptDoc(ACME, version, "Hi", version_line=line, blob=blob)


@pytest.mark.parametrize("version, base, code", [
    (1, {}, None), (2, {}, codes.VERSION_NEW_NOT_ONE),
    (4, {ACME: BaseVersion(3, "b1")}, None),
    (3, {ACME: BaseVersion(3, "b1")}, codes.VERSION_NOT_BUMPED),
    (5, {ACME: BaseVersion(3, "b1")}, codes.VERSION_NOT_BUMPED),
    (2, {ACME: BaseVersion(3, "b1")}, codes.VERSION_NOT_BUMPED),
    (3, {ACME: BaseVersion(3, "b2")}, None),  # same blob: not edited
    (3, {ACME: BaseVersion(3)}, None),  # no blob to tell: equal is taken as unchanged
    (5, {ACME: BaseVersion(3)}, codes.VERSION_NOT_BUMPED)])
def test_rule(version: int, base: dict, code: str | None) -> None:
    findings = check_versions({ACME: doc(version, line=7)}, base)
    assert [f.code for f in findings] == ([code] if code else [])
    for f in findings:
        assert (f.path, f.line, f.is_error) == ("prompts/acme/greeting.yaml", 7, True)


def test_a_base_version_is_a_plain_record_not_an_int() -> None:
    base = BaseVersion(3, "b1")
    assert not isinstance(base, int) and base != 3
    with pytest.raises(AttributeError):
        base.version = 4  # type: ignore[misc]


def test_messages_name_the_version_to_write() -> None:
    [finding] = check_versions({ACME: doc(3)}, {ACME: BaseVersion(3, "b1")})
    assert "still 3" in finding.message and "set version: 4" in finding.hint
    [finding] = check_versions({ACME: doc(2)}, {})
    assert "must be 1" in finding.message


def test_base_versions_reads_every_prompt_file_even_an_invalid_one(snapshot_repo: GitRepo) -> None:
    snapshot_repo.write("prompts/acme/greeting.yaml", "version: 7\ntemplate: {{ broken\n")
    sha = snapshot_repo.commit("A broken file still has a version")
    with GitRepository(snapshot_repo.path) as repo:
        versions = base_versions(repo, sha)
    blob = snapshot_repo.git("rev-parse", f"{sha}:prompts/acme/greeting.yaml")
    assert versions[ACME] == BaseVersion(7, blob)
    assert versions[PromptId("default", PromptType.GREETING)].version == 1
    assert len(versions) == 16


def test_the_versions_of_some_paths_are_those_of_all_kept_to_them(snapshot_repo: GitRepo) -> None:
    # A pre-commit run of one file reads its brand's folder at the base, not every prompt; a
    # branch that edited one prompt since the fork takes it from the base, the rest from the fork.
    fork = snapshot_repo.commit("The fork", allow_empty=True)
    snapshot_repo.bump("prompts/default/farewell.yaml", "", "")
    published = snapshot_repo.commit("Published since the fork")
    snapshot_repo.git("checkout", "-q", "-b", "feature", fork)
    snapshot_repo.bump("prompts/northwind/greeting.yaml", "", "")
    snapshot_repo.commit("On the branch")
    some = {"prompts/northwind/greeting.yaml", "prompts/default/farewell.yaml",
            "prompts/default/greeting.de.yaml", "schema/variables.yaml", "prompts/nope/x.yaml"}
    with GitRepository(snapshot_repo.path) as repo:
        every = base_versions(repo, published)
        kept = base_versions(repo, published, some)
        none = base_versions(repo, published, set())
    assert kept == {i: v for i, v in every.items() if i.path in some}
    assert {i.path for i in kept} >= {"prompts/northwind/greeting.yaml",
                                      "prompts/default/farewell.yaml"}
    assert none == {}


@pytest.mark.timeout(60)
def test_validate_base_flags_the_version_line_in_the_working_tree(snapshot_repo: GitRepo) -> None:
    snapshot_repo.write(GREETING, snapshot_repo.read(GREETING).replace("today?", "now?"))
    proc = cli("validate", "--base", "main", "--repo", str(snapshot_repo.path))
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{GREETING}:3:1: error: default/greeting was changed but its "
                                  "version is still 1")
    assert "[version-not-bumped]" in proc.stdout

    snapshot_repo.bump(GREETING, "now?", "now?")
    assert cli("validate", "--base", "main", "--repo", str(snapshot_repo.path)).returncode == 0
    github = cli("validate", "--base", "main", "--format", "github", "--repo",
                 str(snapshot_repo.path))
    assert github.returncode == 0 and "::error" not in github.stdout


# Without --base: the published branch, when there is one.

def feature_with_unbumped_edit(repo: GitRepo, *, commit: bool = True) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(GREETING, repo.read(GREETING).replace("today?", "now?"))
    if commit:
        repo.commit("Edit without a bump")


UNBUMPED = f"{GREETING}:3:1: error: default/greeting was changed but its version is still 1"


@pytest.mark.timeout(60)
def test_validate_without_base_catches_a_forgotten_bump_on_a_branch(
        snapshot_repo: GitRepo) -> None:
    main = snapshot_repo.head()
    feature_with_unbumped_edit(snapshot_repo)
    proc = cli("validate", "--repo", str(snapshot_repo.path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith(UNBUMPED)
    assert proc.stdout.rstrip().endswith(f"versions checked against main ({main[:7]})")


@pytest.mark.timeout(60)
def test_the_pre_commit_run_of_one_staged_file_catches_it_too(snapshot_repo: GitRepo) -> None:
    feature_with_unbumped_edit(snapshot_repo, commit=False)
    snapshot_repo.git("add", GREETING)
    proc = cli("validate", GREETING, cwd=snapshot_repo.path)
    assert proc.returncode == 1 and proc.stdout.startswith(UNBUMPED), proc.stdout


@pytest.mark.timeout(60)
def test_each_format_says_which_base_it_used(snapshot_repo: GitRepo) -> None:
    main = snapshot_repo.head()
    feature_with_unbumped_edit(snapshot_repo)
    snapshot_repo.bump(GREETING, "now?", "now!")
    snapshot_repo.commit("Bumped")
    label = f"main ({main[:7]})"
    proc = cli("validate", "--format", "json", "--repo", str(snapshot_repo.path))
    assert proc.returncode == 0 and json.loads(proc.stdout)["base"] == label
    proc = cli("validate", "--format", "github", "--repo", str(snapshot_repo.path))
    assert proc.stdout.strip() == f"all good: 15 prompt files checked; versions checked " \
                                  f"against {label}"


@pytest.mark.timeout(60)
def test_on_the_published_branch_itself_there_is_nothing_to_compare(
        snapshot_repo: GitRepo, tmp_path: Path) -> None:
    proc = cli("validate", "--format", "json", "--repo", str(snapshot_repo.path))
    assert proc.returncode == 0 and json.loads(proc.stdout)["base"] is None
    plain = tmp_path / "plain"  # not a git repository at all
    shutil.copytree(snapshot_repo.path / "prompts", plain / "prompts")
    shutil.copytree(snapshot_repo.path / "schema", plain / "schema")
    proc = cli("validate", "--format", "json", "--repo", str(plain))
    assert proc.returncode == 0 and json.loads(proc.stdout)["base"] is None


def clone(origin: GitRepo, path: Path) -> GitRepo:
    subprocess.run(["git", "clone", "-q", str(origin.path), str(path)], check=True)
    return GitRepo(path)


@pytest.mark.parametrize("state, base", [
    ("main, pushed", None),
    ("main, one local commit", "origin/main"),
    ("feature, pushed", "origin/main"),  # its upstream is its own copy, not the published one
    ("detached, as CI checks out", "origin/main"),
    ("feature, upstream origin/main", "origin/main"),
])
def test_which_base_a_clone_uses(snapshot_repo: GitRepo, tmp_path: Path, state: str,
                                 base: str | None) -> None:
    editor = clone(snapshot_repo, tmp_path / "editor")
    if state == "main, one local commit":
        editor.bump(GREETING, "today?", "now?")
        editor.commit("Local")
    elif state == "feature, pushed":
        editor.git("checkout", "-q", "-b", "feature")
        editor.git("push", "-q", "-u", "origin", "feature")
    elif state == "detached, as CI checks out":
        editor.git("checkout", "-q", "--detach")
    elif state == "feature, upstream origin/main":
        editor.git("checkout", "-q", "-b", "feature", "--track", "origin/main")
    with GitRepository(editor.path) as repo:
        assert choose_base(repo, "main") == base


@pytest.mark.timeout(60)
def test_an_explicit_base_still_wins(snapshot_repo: GitRepo) -> None:
    first = snapshot_repo.head()
    feature_with_unbumped_edit(snapshot_repo)
    proc = cli("validate", "--base", "HEAD", "--repo", str(snapshot_repo.path))
    assert proc.returncode == 0, proc.stdout
    head = snapshot_repo.head()
    assert first != head and proc.stdout.strip().endswith(f"against HEAD ({head[:7]})")


@pytest.mark.timeout(60)
def test_the_published_branch_is_the_one_the_daemon_follows(snapshot_repo: GitRepo) -> None:
    snapshot_repo.git("branch", "production")
    feature_with_unbumped_edit(snapshot_repo)
    proc = cli("validate", "--repo", str(snapshot_repo.path), env={"PROMPTSYNC_REF": "production"})
    assert proc.returncode == 1 and proc.stdout.startswith(UNBUMPED)
    assert "versions checked against production (" in proc.stdout
