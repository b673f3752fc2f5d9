"""`promptsync rollback`: a new branch with one reviewed, audited commit; the checkout untouched."""

from __future__ import annotations

import pytest

from promptsync.cli.main import main
from promptsync.versionline import read_version
from tests.support.editing import GREETING, cli, history
from tests.support.gitrepo import GitRepo


@pytest.fixture
def two_edits(prompt_repo: GitRepo) -> tuple[GitRepo, str]:
    good = prompt_repo.head()
    prompt_repo.bump(GREETING, "How can I help you today?", "What can I do for you?")
    prompt_repo.commit("Ask what we can do")
    prompt_repo.bump(GREETING, "What can I do for you?", "Yo.")
    prompt_repo.commit("Too casual")
    return prompt_repo, good


@pytest.mark.timeout(60)
def test_rollback_commits_old_content_with_bumped_version_on_a_new_branch(
        two_edits: tuple[GitRepo, str], capsys) -> None:
    repo, good = two_edits
    head = repo.head()
    repo.write("prompts/default/farewell.yaml", "work in progress, not committed\n")
    repo.git("add", "prompts/default/farewell.yaml")
    status_before = repo.git("status", "--porcelain")

    assert main(["rollback", "default/greeting", "--to", good[:10],
                 "--repo", str(repo.path)]) == 0
    out = capsys.readouterr().out
    branch = f"rollback/default-greeting-{good[:7]}"
    assert f"Created branch {branch}" in out and "as version 4" in out
    assert f"git push -u origin {branch}" in out

    # The editor's branch, index and working tree are as they were.
    assert repo.head() == head
    assert repo.git("branch", "--show-current") == "main"
    assert repo.git("status", "--porcelain") == status_before

    tip = repo.head(branch)
    assert repo.git("rev-parse", f"{branch}^") == head
    assert repo.git("diff", "--name-only", head, tip) == GREETING
    restored = repo.git("show", f"{tip}:{GREETING}") + "\n"
    original = repo.git("show", f"{good}:{GREETING}") + "\n"
    assert read_version(restored.encode()) == 4
    assert restored == original.replace("version: 1\n", "version: 4\n")
    message = repo.git("log", "-1", "--format=%B", tip)
    assert message.startswith(f"Roll back default/greeting to {good[:7]}")
    assert f"Rolled-back-to: {good}" in message

    latest = history(repo.path)  # the branch is not in HEAD's history ...
    assert latest[0].subject == "Too casual"
    repo.git("merge", "-q", "--ff-only", branch)  # ... until it merges
    change = history(repo.path)[0]
    assert (change.action, change.restores, change.version_before, change.version_after) == (
        "rollback", good, 3, 4)


@pytest.mark.timeout(60)
def test_rollback_of_a_deleted_prompt_restores_it_as_version_one(prompt_repo: GitRepo) -> None:
    before = prompt_repo.head()
    prompt_repo.remove("prompts/northwind/farewell.yaml")
    prompt_repo.commit("Drop the farewell")
    assert main(["rollback", "northwind/farewell", "--to", before, "--branch", "undo-drop",
                 "--repo", str(prompt_repo.path)]) == 0
    restored = prompt_repo.git("show", "undo-drop:prompts/northwind/farewell.yaml")
    assert read_version(restored.encode()) == 1


@pytest.mark.timeout(60)
@pytest.mark.parametrize("args, message", [
    (["default/greeting", "--to", "no-such-rev"], "is not a commit"),
    (["acme/greeting", "--to", "HEAD~2"], "acme/greeting does not exist at"),
    (["default/greeting", "--to", "HEAD"], "nothing to do"),
    (["default/greeting", "--to", "HEAD~2", "--branch", "main"], "already exists"),
    (["default/greeting", "--to", "HEAD~2", "--branch", "bad..name"], "not a valid branch"),
    (["greeting", "--to", "HEAD~2"], "not <brand>/<type>")])
def test_bad_rollbacks_are_one_line_exit_2(two_edits: tuple[GitRepo, str], args, message) -> None:
    repo, _ = two_edits
    refs_before = repo.git("for-each-ref")
    proc = cli("rollback", *args, "--repo", str(repo.path))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert repo.git("for-each-ref") == refs_before


@pytest.mark.timeout(60)
def test_a_translation_rolls_back_on_a_branch_that_names_its_locale(prompt_repo: GitRepo,
                                                                     capsys) -> None:
    german = "prompts/default/greeting.de.yaml"
    base = prompt_repo.read(GREETING)
    prompt_repo.write("prompts/default/brand.yaml", "language: en\nlocales: [de]\n")
    prompt_repo.write(german, base.replace("version: 1\n", "locale: de\ntranslated_from: 1\n"
                                           "version: 1\n", 1).replace(
        "How can I help you today?", "Wie kann ich helfen?"))
    good = prompt_repo.commit("German greeting")
    prompt_repo.bump(german, "Wie kann ich helfen?", "Was geht?")
    prompt_repo.commit("Too casual in German")
    assert main(["rollback", "default/greeting.de", "--to", good,
                 "--repo", str(prompt_repo.path)]) == 0, capsys.readouterr()
    branch = f"rollback/default-greeting.de-{good[:7]}"
    assert f"Created branch {branch}" in capsys.readouterr().out
    tip = prompt_repo.head(branch)
    assert prompt_repo.git("diff", "--name-only", good, tip) == german
    restored = prompt_repo.git("show", f"{tip}:{german}")
    assert "Wie kann ich helfen?" in restored and read_version(restored.encode()) == 3
