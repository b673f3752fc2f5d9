"""The process's one writer (issue 18): concurrent edits of different prompts all land, batched
into few ref updates; a stale ref lock is named with what to do; git's maintenance runs after
writes; a checked-out target branch follows the edit or the edit is refused, never a staged
reverse diff; a rollback's 404 does not name the server's folder."""

from __future__ import annotations

import os

import pytest

from promptsync.edit.request import EditError, EditRequest, Fields, Written
from promptsync.edit.service import EditService
from promptsync.errors import GitError, PromptSyncError
from promptsync.model import PromptId
from tests.daemon.helpers import wait_until
from tests.edit.conftest import DANA, update
from tests.edit.test_races import at_once
from tests.support.gitrepo import GitRepo

EDITS = 40
LOOSE = 500
WAIT = 30.0


def create(n: int) -> EditRequest:
    fields = Fields(f"Hi from brand {n}, {{{{ brand_name }}}}\n",
                    variables={"brand_name": {"type": "string", "required": True}},
                    samples=[{"name": "plain", "context": {"brand_name": "Acme"}}])
    return EditRequest(PromptId.parse(f"brand-{n}/greeting"), "create", 0, DANA,
                       f"Greeting of brand {n}", fields, write_to="main")


def moves_of_main(repo: GitRepo) -> int:
    return len(repo.git("reflog", "show", "--format=%H", "refs/heads/main").splitlines())


def loose_objects(repo: GitRepo) -> int:
    counts = dict(line.split(": ") for line in repo.git("count-objects", "-v").splitlines())
    return int(counts["count"])


def test_many_edits_of_different_prompts_at_once_all_land_in_few_ref_updates(
        prompt_repo: GitRepo, service: EditService) -> None:
    before, moves = prompt_repo.head(), moves_of_main(prompt_repo)
    outcomes = at_once([lambda n=n: service.apply(create(n)) for n in range(EDITS)])
    assert all(isinstance(o, Written) for o in outcomes), outcomes
    assert prompt_repo.git("rev-list", "--count", f"{before}..main") == str(EDITS)
    assert prompt_repo.git("rev-list", "--merges", f"{before}..main") == ""
    # Each edit its own commit, but the ones that queued up landed together: on main before
    # the writer, each edit moved the ref itself (and raced the others to do it).
    assert moves_of_main(prompt_repo) - moves < EDITS
    assert prompt_repo.git("fsck", "--no-dangling") == ""


def test_a_stale_ref_lock_is_named_with_what_to_do_and_nothing_is_written(
        prompt_repo: GitRepo, service: EditService) -> None:
    lock = prompt_repo.path / ".git" / "refs" / "heads" / "main.lock"
    lock.write_text(prompt_repo.head() + "\n")  # a git process killed while it moved main
    objects = loose_objects(prompt_repo)
    with pytest.raises(GitError) as caught:
        service.apply(update())
    message = str(caught.value)
    assert "refs/heads/main.lock" in message and "delete" in message
    assert "kept moving" not in message and str(prompt_repo.path) not in message
    assert loose_objects(prompt_repo) == objects  # not one dangling commit per attempt
    lock.unlink()
    assert isinstance(service.apply(update()), Written)


def test_git_gc_auto_runs_after_writes(prompt_repo: GitRepo, service: EditService) -> None:
    # gc --auto estimates from the objects/17 folder alone: with gc.auto 20 it packs once 2
    # objects are there; blobs 208 and 473 of these (their contents fixed) are.
    _many_loose_objects(prompt_repo, LOOSE)
    prompt_repo.git("config", "gc.auto", "20")
    prompt_repo.git("config", "gc.autoDetach", "false")  # so the test sees it finish
    assert loose_objects(prompt_repo) >= LOOSE
    assert isinstance(service.apply(update()), Written)
    # After the answer: the editor does not wait for git's housekeeping.
    wait_until(lambda: loose_objects(prompt_repo) < 20, 120)


def _many_loose_objects(repo: GitRepo, count: int) -> None:
    """`count` loose blobs, reachable from a branch of their own (what gc packs at once)."""
    other = GitRepo.init(repo.path.parent / "bulk", with_project_prompts=False)
    for n in range(count):
        other.write(f"loose/{n}.txt", f"loose object {n}\n")
    other.commit("Many files")
    repo.git("-c", f"fetch.unpackLimit={count * 2}", "fetch", "-q", "--no-tags",
             str(other.path), "main:bulk")


def test_a_checked_out_clone_after_an_edit_has_nothing_staged_and_nothing_to_undo(
        prompt_repo: GitRepo, service: EditService) -> None:
    done = service.apply(update())
    assert isinstance(done, Written)
    assert prompt_repo.head() == done.commit
    assert prompt_repo.git("status", "--porcelain") == ""
    assert prompt_repo.git("diff", "HEAD") == ""
    assert "Hello from" in prompt_repo.read("prompts/default/greeting.yaml")


def test_an_edit_of_a_checked_out_branch_with_local_changes_is_refused_saying_what_to_do(
        prompt_repo: GitRepo, service: EditService) -> None:
    before = prompt_repo.head()
    prompt_repo.write("prompts/default/farewell.yaml",
                      prompt_repo.read("prompts/default/farewell.yaml") + "# mine\n")
    with pytest.raises(PromptSyncError) as caught:
        service.apply(update())
    message = str(caught.value)
    assert "uncommitted changes" in message and "--repo URL" in message
    assert "--write-to branch" in message and str(prompt_repo.path) not in message
    assert prompt_repo.head() == before
    assert prompt_repo.git("status", "--porcelain") == "M prompts/default/farewell.yaml"


def test_a_rollback_to_an_unknown_commit_does_not_name_the_servers_folder(
        prompt_repo: GitRepo, service: EditService) -> None:
    assert isinstance(service.apply(update()), Written)
    with pytest.raises(EditError) as caught:
        service.apply(EditRequest(PromptId.parse("default/greeting"), "rollback", 2, DANA,
                                  write_to="main", rollback_to="no-such-commit"))
    assert caught.value.kind == "not-found" and "no-such-commit" in str(caught.value)
    assert str(prompt_repo.path) not in str(caught.value)



def review_heads(repo: GitRepo) -> list[str]:
    return repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/edit/").split()


def test_a_review_branch_is_deleted_once_the_target_has_its_version_and_never_before(
        prompt_repo: GitRepo, service: EditService) -> None:
    assert isinstance(service.apply(update(1, write_to="branch")), Written)
    assert review_heads(prompt_repo) == ["edit/default/greeting/v2"]
    # An editor who claims a version the target does not have deletes nobody's open edit.
    assert not isinstance(service.apply(update(3, write_to="branch")), Written)
    assert review_heads(prompt_repo) == ["edit/default/greeting/v2"]
    # Version 2 lands on the target another way: the review branch for it is superseded.
    assert isinstance(service.apply(update(1, template="Other text, {{ brand_name }}\n")),
                      Written)
    wait_until(lambda: review_heads(prompt_repo) == [], WAIT)  # tidied after the answer


def test_a_file_touched_but_unchanged_in_the_checked_out_clone_is_no_local_change(
        prompt_repo: GitRepo, service: EditService) -> None:
    farewell = prompt_repo.path / "prompts/default/farewell.yaml"
    farewell.write_bytes(farewell.read_bytes())  # new stat data, same content
    os.utime(farewell, (1, 1))
    assert isinstance(service.apply(update()), Written)
    assert prompt_repo.git("status", "--porcelain") == ""
