"""The --base version rule: the pure function, the base reader and `validate --base` end to end."""

from __future__ import annotations

import pytest

from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.validate import codes
from promptsync.validate.version_check import BaseVersion, base_versions, check_versions
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
        blob = repo.run("rev-parse", f"{sha}:prompts/acme/greeting.yaml").strip()
    assert versions[ACME] == BaseVersion(7, blob)
    assert versions[PromptId("default", PromptType.GREETING)].version == 1
    assert len(versions) == 16


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
