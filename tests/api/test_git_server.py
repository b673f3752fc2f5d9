"""`serve --repo URL` against a real git server (git daemon on a loopback port): an edit is a
push without force, answered once the server took it; a webhook or the interval brings what
others pushed; a server that refuses is a problem document naming it, and nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from promptsync.api.keys import KeyStore, Scope
from promptsync.edit.landing import ServerBranch
from promptsync.edit.request import Editor, EditRequest, Fields
from promptsync.edit.service import EditService
from promptsync.gitio.mirror import Mirror
from promptsync.gitio.push import PushRefused
from promptsync.model import PromptId
from tests.api.gitserver_api import served_from
from tests.api.test_skeleton import problem
from tests.api.test_webhook import SECRET, signed
from tests.daemon.helpers import state, wait_until
from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.support.gitserver import GitServer, refuse_pushes
from tests.support.servers import free_port

GREETING = "prompts/northwind/greeting.yaml"
WAIT = 30.0  # s: generous; the claim is "within a second", not tested as a timing


@pytest.fixture
def bare(git_server: GitServer, prompt_repo: GitRepo) -> GitRepo:
    return git_server.add(prompt_repo)


def version_on(bare: GitRepo, path: str = GREETING) -> int:
    for line in bare.git("show", f"main:{path}").splitlines():
        if line.startswith("version:"):
            return int(line.split(":")[1])
    raise AssertionError("no version line")


def test_a_put_lands_as_exactly_one_commit_on_the_servers_branch(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    before = bare.head("main")
    with served_from(git_server, bare, tmp_path) as s:
        v = version_on(bare)
        answer = s.put("northwind/greeting", v, "Hi {{ user_name }}, from the server.\n")
        assert answer.status_code == 201, answer.text
        body = answer.json()
    assert bare.git("rev-list", "--count", f"{before}..main") == "1"
    assert body["commit"] == bare.head("main") and body["parent"] == before
    assert body["pushed_to"] == git_server.url() and body["live"] is True
    assert version_on(bare) == v + 1


def test_a_push_from_another_clone_and_a_signed_webhook_go_live(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    with served_from(git_server, bare, tmp_path, secret=SECRET) as s:
        other = GitRepo(tmp_path / "other")
        GitRepo(tmp_path).git("clone", "-q", s.url, str(other.path))
        other.bump(GREETING, "Hey there", "Hello there")
        head = other.commit("Friendlier, merged on the server")
        other.git("push", "-q", "origin", "main")
        body = json.dumps({"ref": "refs/heads/main", "after": head}).encode()
        hook = s.api.client.post("/v1/hooks/github", content=body, headers={
            "X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1",
            "Content-Type": "application/json", "X-Hub-Signature-256": signed(body)})
        assert hook.status_code == 202, hook.text
        # The daemon polls once an hour here: only the webhook's fetch can bring it.
        wait_until(lambda: state(s.db)[0] == head, WAIT)


def test_without_a_webhook_a_push_goes_live_within_the_interval(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    with served_from(git_server, bare, tmp_path, interval=0.5) as s:
        other = GitRepo(tmp_path / "other")
        GitRepo(tmp_path).git("clone", "-q", s.url, str(other.path))
        other.bump(GREETING, "Hey there", "Hello there")
        head = other.commit("Friendlier")
        other.git("push", "-q", "origin", "main")
        wait_until(lambda: state(s.db)[0] == head, WAIT)


def test_an_edit_on_a_stale_mirror_is_pushed_on_the_servers_new_head(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    """The mirror has not seen another clone's push: the first push is rejected (the server's
    branch moved), the edit is redone on the fetched head, and lands there, not as a 409."""
    with served_from(git_server, bare, tmp_path) as s:
        other = GitRepo(tmp_path / "other")
        GitRepo(tmp_path).git("clone", "-q", s.url, str(other.path))
        other.write("prompts/northwind/notes.md", "another prompt's change\n")
        theirs = other.commit("Notes")
        other.git("push", "-q", "origin", "main")
        answer = s.put("northwind/greeting", version_on(bare), "Hi {{ user_name }}.\n")
        assert answer.status_code == 201, answer.text
        assert answer.json()["parent"] == theirs
        assert bare.git("log", "--merges", "--format=%H", "main") == ""


def test_a_server_that_refuses_pushes_is_a_problem_that_names_it_and_nothing_is_half_written(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    before = bare.head("main")
    with served_from(git_server, bare, tmp_path) as s:
        hook = refuse_pushes(bare, "main is protected: open a pull request")
        v = version_on(bare)
        refused = problem(s.put("northwind/greeting", v, "Hi.\n"), 502)
        detail = str(refused["detail"])
        assert git_server.url() in detail and "main is protected" in detail
        assert "credentials" in detail and "hook" in detail
        assert bare.head("main") == before
        assert GitRepo(s.api.ctx.settings.repo).head("main") == before  # the mirror too
        hook.unlink()
        assert s.put("northwind/greeting", v, "Hi again.\n").status_code == 201
        assert bare.git("rev-list", "--count", f"{before}..main") == "1"


def test_an_unreachable_server_is_a_problem_that_names_it_then_the_next_edit_works(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    before = bare.head("main")
    with served_from(git_server, bare, tmp_path) as s:
        git_server.stop()
        v = version_on(bare)
        down = problem(s.put("northwind/greeting", v, "Hi.\n"), 502)
        assert git_server.url() in str(down["detail"]) and "reachable" in str(down["detail"])
        assert bare.head("main") == before
        git_server.start(git_server.port)
        assert s.put("northwind/greeting", v, "Hi again.\n").status_code == 201
        assert bare.git("rev-list", "--count", f"{before}..main") == "1"


def test_a_credential_in_the_servers_url_is_masked_in_the_problem(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    with served_from(git_server, bare, tmp_path) as s:
        mirror = s.api.ctx.settings.repo
        leaky = "http://dana:s3cret-t0ken@127.0.0.1:9/prompts.git"  # nothing listens there
        service = EditService(mirror, landing=ServerBranch(leaky, Mirror(leaky, mirror)))
        try:
            with pytest.raises(PushRefused) as caught:
                service.apply(EditRequest(
                    PromptId.parse("northwind/greeting"), "update", version_on(bare),
                    Editor("dana", "dana@promptsync.invalid", "0123456789ab"), "",
                    Fields("Hi.\n"), write_to="main"))
        finally:
            service.close()
    assert "s3cret" not in str(caught.value)
    assert "http://dana:***@127.0.0.1:9/prompts.git" in str(caught.value)


def test_review_branches_go_to_the_server_and_are_deleted_there_once_merged(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    with served_from(git_server, bare, tmp_path, write_to="branch") as s:
        v = version_on(bare)
        first = s.put("northwind/greeting", v, "Hi {{ user_name }}, for review.\n")
        assert first.status_code == 201, first.text
        branch = first.json()["branch"]
        assert branch == f"edit/northwind/greeting/v{v + 1}"
        assert first.json()["pushed_to"] == git_server.url() and not first.json()["published"]
        assert bare.head(f"refs/heads/{branch}") == first.json()["commit"]
        # The pull request is merged on the server.
        other = GitRepo(tmp_path / "other")
        GitRepo(tmp_path).git("clone", "-q", s.url, str(other.path))
        other.git("merge", "-q", "--ff-only", f"origin/{branch}")
        other.git("push", "-q", "origin", "main")
        second = s.put("northwind/greeting", v + 1, "Hi {{ user_name }}, again.\n")
        assert second.status_code == 201, second.text
        assert second.json()["branch"] == f"edit/northwind/greeting/v{v + 2}"
        heads = bare.git("for-each-ref", "--format=%(refname)", "refs/heads/edit/")
        assert heads.splitlines() == [f"refs/heads/edit/northwind/greeting/v{v + 2}"]


def test_serve_with_an_unreachable_url_is_one_masked_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "promptsync", "serve", "--repo",
                           "https://dana:s3cret-t0ken@127.0.0.1:9/prompts.git",
                           "--cache-dir", str(tmp_path / "cache"), "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "s3cret" not in proc.stderr + proc.stdout
    assert "https://dana:***@127.0.0.1:9/prompts.git" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_a_review_branch_closed_and_deleted_on_the_server_blocks_nobody(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    with served_from(git_server, bare, tmp_path, write_to="branch") as s:
        v = version_on(bare)
        first = s.put("northwind/greeting", v, "Hi {{ user_name }}, for review.\n")
        assert first.status_code == 201, first.text
        assert problem(s.put("northwind/greeting", v, "Another.\n"), 409)["reason"] == \
            "being-edited"
        bare.git("branch", "-D", first.json()["branch"])  # the pull request was closed
        again = s.put("northwind/greeting", v, "Another.\n")
        assert again.status_code == 201, again.text
        assert bare.head(f"refs/heads/{again.json()['branch']}") == again.json()["commit"]


def test_promptsync_serve_with_a_url_pushes_each_edit_and_publishes_it(
        git_server: GitServer, bare: GitRepo, tmp_path: Path) -> None:
    """The command itself: `promptsync serve --repo URL --write-to main`, its daemon inside."""
    port = free_port()
    keys = tmp_path / "keys.json"
    key = KeyStore(keys).add("dana", Scope.WRITE, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "promptsync", "serve", "--repo", git_server.url(), "--write-to",
         "main", "--port", str(port), "--keys-file", str(keys), "--cache-dir",
         str(tmp_path / "cache"), "--db", f"sqlite:///{tmp_path / 'serve.db'}"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: proc.poll() is not None or httpx.get(f"{url}/healthz").status_code
                   == 200, WAIT)
        assert proc.poll() is None, proc.communicate()[1]
        before = bare.head("main")
        answer = httpx.put(f"{url}/v1/prompts/northwind/greeting", timeout=WAIT,
                           headers={"Authorization": f"Bearer {key}"},
                           json={"version": version_on(bare), "template": "Hi from serve.\n"})
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["commit"] == bare.head("main") and body["parent"] == before
        assert body["pushed_to"] == git_server.url() and body["live"] is True
    finally:
        proc.terminate()
        proc.communicate(timeout=WAIT)
