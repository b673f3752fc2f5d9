"""The edit service: commits without a working tree, the version check, validation, where."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from promptsync.edit.request import Conflict, EditRequest, Fields, PushFailed, Rejected, Written
from promptsync.edit.service import EditService, review_branch
from promptsync.model import PromptId
from tests.edit.conftest import DANA, GREETING, NEW_TEXT, update
from tests.support.editing import history
from tests.support.gitrepo import PROJECT_ROOT, GitRepo


def show(repo: GitRepo, rev: str, path: str = GREETING.path) -> str:
    return repo.git("show", f"{rev}:{path}")


def test_an_update_is_a_commit_on_main_with_the_next_version_and_the_trailers(
        prompt_repo: GitRepo, service: EditService) -> None:
    before = prompt_repo.head()
    done = service.apply(update())
    assert isinstance(done, Written) and done.on_target and done.branch == "main"
    assert prompt_repo.head("main") == done.commit and done.parent == before
    assert done.version == 2
    fmt = "%an|%ae|%cn|%B"
    author, email, committer, message = prompt_repo.git("log", "-1", f"--format={fmt}",
                                                        done.commit).split("|", 3)
    assert (author, email, committer) == ("dana", "dana@promptsync.invalid", "promptsync")
    assert message.splitlines()[0] == "Shorter greeting"
    assert "Admin-Key: sha256:0123456789ab" in message and "Action: update" in message
    assert message.rstrip().endswith("Action: update")
    # Only the template and the version changed; comments and every other line stayed.
    diff = prompt_repo.git("diff", "-U0", before, done.commit, "--", GREETING.path)
    changed = [line for line in diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert "-version: 1" in changed and "+version: 2" in changed
    assert "+  Hello from {{ brand_name }}!" in changed
    assert all("template" in c or "version" in c or c.startswith(("-  ", "+  "))
               for c in changed), changed
    assert show(prompt_repo, "main").startswith("# yaml-language-server: $schema=")
    # The checked-out branch moved, and its clean files and index came along with it.
    assert "Hello from" in prompt_repo.read(GREETING.path)
    assert prompt_repo.git("status", "--porcelain") == ""


def test_a_stale_version_is_a_conflict_that_says_who_when_and_what(
        prompt_repo: GitRepo, service: EditService) -> None:
    first = service.apply(update(message="First"))
    assert isinstance(first, Written)
    late = service.apply(update(template="Hi there, {{ brand_name }}.\n"))
    assert isinstance(late, Conflict) and late.reason == "version-moved"
    assert (late.expected, late.current_version) == (1, 2)
    assert late.current_template == NEW_TEXT
    assert late.last_change is not None and late.last_change.commit == first.commit
    assert late.last_change.author_name == "dana" and late.last_change.subject == "First"
    assert "-Hi there, {{ brand_name }}." in late.diff and "+Hello from" in late.diff
    assert "yours (edited from v1)" in late.diff and "current (v2)" in late.diff
    assert "version 2" in late.detail
    assert prompt_repo.head("main") == first.commit  # nothing written


def test_an_invalid_template_is_rejected_with_findings_and_nothing_written(
        prompt_repo: GitRepo, service: EditService) -> None:
    before = prompt_repo.head()
    done = service.apply(update(template="Hi {{ usr_name }}\n"))
    assert isinstance(done, Rejected)
    codes = {f.code for f in done.findings}
    assert "variable-undeclared" in codes
    assert all(f.path == GREETING.path for f in done.findings)
    assert prompt_repo.head() == before
    assert prompt_repo.git("for-each-ref", "refs/heads/edit") == ""


def test_changed_variables_and_samples_are_written_in_the_files_own_shape(
        prompt_repo: GitRepo, service: EditService) -> None:
    variables = {"brand_name": {"type": "string", "required": True}}
    samples = [{"name": "plain", "context": {"brand_name": "Acme"}}]
    done = service.apply(update(description="A short hello.", variables=variables,
                                samples=samples))
    assert isinstance(done, Written), done
    text = show(prompt_repo, "main")
    doc = yaml.safe_load(text)
    assert doc["variables"] == variables and doc["samples"] == samples
    assert doc["description"] == "A short hello." and doc["version"] == 2
    assert "context: {brand_name: Acme}" in text


def test_create_needs_a_new_prompt_and_starts_at_version_one(
        prompt_repo: GitRepo, service: EditService) -> None:
    acme = PromptId.parse("acme/greeting")
    fields = Fields("Welcome to Acme, {{ brand_name }}.\n", "Acme's greeting.",
                    {"brand_name": {"type": "string", "required": True}},
                    [{"name": "plain", "context": {"brand_name": "Acme"}}])
    done = service.apply(EditRequest(acme, "create", 0, DANA, "", fields, write_to="main"))
    assert isinstance(done, Written) and done.version == 1, done
    doc = yaml.safe_load(show(prompt_repo, "main", acme.path))
    assert doc["type"] == "GREETING" and doc["version"] == 1
    again = service.apply(EditRequest(acme, "create", 0, DANA, "", fields, write_to="main"))
    assert isinstance(again, Conflict) and again.reason == "exists"
    assert again.current_version == 1 and "already exists" in again.detail
    assert prompt_repo.git("log", "-1", "--format=%B", done.commit).rstrip().endswith(
        "Action: create")


def test_delete_checks_the_version_and_default_keeps_every_type(
        prompt_repo: GitRepo, service: EditService) -> None:
    brand = PromptId.parse("northwind/greeting")
    stale = service.apply(EditRequest(brand, "delete", 7, DANA, write_to="main"))
    assert isinstance(stale, Conflict) and stale.reason == "version-moved"
    version = int(yaml.safe_load(show(prompt_repo, "main", brand.path))["version"])
    done = service.apply(EditRequest(brand, "delete", version, DANA, write_to="main"))
    assert isinstance(done, Written) and done.version is None
    assert prompt_repo.git("ls-tree", "main", "--", brand.path) == ""
    gone = service.apply(update(prompt=brand, version=version))
    assert isinstance(gone, Conflict) and gone.reason == "missing"
    assert gone.last_change is not None and gone.last_change.commit == done.commit
    refused = service.apply(EditRequest(GREETING, "delete", 1, DANA, write_to="main"))
    assert isinstance(refused, Rejected)
    assert [f.code for f in refused.findings] == ["default-missing-type"]


GERMAN = """type: GREETING
locale: de
translated_from: 1
version: 1
variables:
  brand_name: {type: string, required: true}
  agent_name: {type: string, default: ""}
template: |
  Hallo, willkommen bei {{ brand_name }}!{% if agent_name %} Ich bin {{ agent_name }}.{% endif %}
samples:
  - name: one
    context: {brand_name: Acme}
"""


def test_an_edit_that_breaks_a_translation_is_refused_as_the_daemon_would_refuse_it(
        prompt_repo: GitRepo, service: EditService) -> None:
    # Only findings on the edited file counted: the commit was written, and the daemon then
    # refused it for what it did to the translation.
    for rule in (PROJECT_ROOT / "schema").iterdir():  # the snapshot's predate translations
        prompt_repo.write(f"schema/{rule.name}", rule.read_bytes())
    prompt_repo.write("prompts/default/greeting.de.yaml", GERMAN)
    before = prompt_repo.commit("German greeting")
    current = yaml.safe_load(show(prompt_repo, "main"))
    variables = {k: v for k, v in current["variables"].items() if k != "agent_name"}
    template = "Hi, welcome to {{ brand_name }}{% if user_name %}, {{ user_name }}{% endif %}!" \
        "{% if is_returning %} Again.{% endif %}\n"
    samples = [{"name": "one", "context": {"brand_name": "Acme"}}]
    refused = service.apply(update(template=template, variables=variables, samples=samples))
    assert isinstance(refused, Rejected)
    assert [(f.path, f.code) for f in refused.findings] == [
        ("prompts/default/greeting.de.yaml", "translation-variable")]
    deleted = service.apply(EditRequest(GREETING, "delete", 1, DANA, write_to="main"))
    assert isinstance(deleted, Rejected)
    assert sorted((f.path, f.code) for f in deleted.findings) == [
        ("prompts/default/greeting.de.yaml", "translation-without-base"),
        ("prompts/default/greeting.yaml", "default-missing-type")]
    assert prompt_repo.head("main") == before


def test_a_review_branch_is_made_from_main_and_a_second_editor_of_that_version_conflicts(
        prompt_repo: GitRepo, service: EditService) -> None:
    main = prompt_repo.head("main")
    done = service.apply(update(write_to="branch"))
    assert isinstance(done, Written) and not done.on_target
    assert done.branch == "edit/default/greeting/v2" == review_branch(GREETING, 2)
    assert prompt_repo.head("main") == main and done.parent == main
    assert prompt_repo.head(done.branch) == done.commit and done.pushed_to is None
    other = service.apply(update(template="Good day, {{ brand_name }}.\n", write_to="branch"))
    assert isinstance(other, Conflict) and other.reason == "being-edited"
    assert other.branch == done.branch and other.current_template == NEW_TEXT
    assert other.last_change is not None and other.last_change.commit == done.commit


def test_a_review_branch_is_pushed_to_the_remote(prompt_repo: GitRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(prompt_repo.path), str(remote)],
                   check=True)
    prompt_repo.git("remote", "add", "origin", str(remote))
    done = EditService(prompt_repo.path).apply(update(write_to="branch"))
    assert isinstance(done, Written) and done.pushed_to == "origin"
    pushed = subprocess.run(["git", "rev-parse", f"refs/heads/{done.branch}"], cwd=remote,
                            capture_output=True, text=True, check=True).stdout.strip()
    assert pushed == done.commit


def test_a_failed_push_is_reported_and_leaves_no_branch(prompt_repo: GitRepo,
                                                        tmp_path: Path) -> None:
    prompt_repo.git("remote", "add", "origin", str(tmp_path / "no-such-remote.git"))
    done = EditService(prompt_repo.path).apply(update(write_to="branch"))
    assert isinstance(done, PushFailed) and done.remote == "origin"
    assert "no-such-remote" in done.error and done.branch == "edit/default/greeting/v2"
    assert prompt_repo.git("for-each-ref", "refs/heads/edit") == ""


def test_a_rollback_to_a_version_restores_its_text_as_the_next_version(
        prompt_repo: GitRepo, service: EditService) -> None:
    original = show(prompt_repo, "main")
    assert isinstance(service.apply(update()), Written)
    stale = service.apply(EditRequest(GREETING, "rollback", 1, DANA, write_to="main",
                                      rollback_to="v1"))
    assert isinstance(stale, Conflict) and stale.current_version == 2
    done = service.apply(EditRequest(GREETING, "rollback", 2, DANA, "Back to the old text",
                                     write_to="main", rollback_to="v1"))
    assert isinstance(done, Written) and done.version == 3, done
    assert show(prompt_repo, "main") == original.replace("version: 1", "version: 3", 1)
    latest = history(prompt_repo.path)[0]
    assert (latest.action, latest.version_before, latest.version_after) == ("rollback", 2, 3)
    assert latest.admin_key == "sha256:0123456789ab"
    assert latest.author_name == "dana"


def test_an_edit_of_a_translation_writes_the_locale_file(prompt_repo: GitRepo,
                                                         service: EditService) -> None:
    german = PromptId.parse("default/greeting.de")
    fields = Fields("Hallo {{ brand_name }}!\n")
    done = service.apply(EditRequest(german, "create", 0, DANA, "", fields, write_to="branch"))
    # Whether the validator accepts a translation is the languages work's to say; either
    # way the service names the locale's file and branch.
    if isinstance(done, Written):
        assert done.branch == "edit/default/greeting.de/v1"
        doc = yaml.safe_load(show(prompt_repo, done.commit, german.path))
        assert doc["locale"] == "de" and doc["version"] == 1
    else:
        assert isinstance(done, Rejected)
        assert all(f.path == "prompts/default/greeting.de.yaml" for f in done.findings)


def test_a_review_branch_deleted_on_the_remote_no_longer_blocks_its_version(
        prompt_repo: GitRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(prompt_repo.path), str(remote)],
                   check=True)
    prompt_repo.git("remote", "add", "origin", str(remote))
    service = EditService(prompt_repo.path)
    first = service.apply(update(write_to="branch"))
    assert isinstance(first, Written)
    blocked = service.apply(update(template="Another try, {{ brand_name }}\n", write_to="branch"))
    assert isinstance(blocked, Conflict) and blocked.reason == "being-edited"
    assert "delete the branch" in blocked.detail
    # Its pull request is closed and the branch deleted on the server.
    subprocess.run(["git", "branch", "-D", first.branch], cwd=remote, check=True,
                   capture_output=True)
    again = service.apply(update(template="Another try, {{ brand_name }}\n", write_to="branch"))
    assert isinstance(again, Written) and again.branch == first.branch
    assert prompt_repo.head(f"refs/heads/{first.branch}") == again.commit
