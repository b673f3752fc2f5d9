"""PUT, DELETE and rollback over real HTTP: commits in a real repository, published by the real
daemon, read back by a PromptReader in another process."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import yaml

from promptsync.api.keys import KeyStore, Scope
from promptsync.api.problems import MEDIA_TYPE
from tests.api.edit_server import WritingApi, reader_in_another_process, writing_api
from tests.daemon.helpers import state, sync_once, wait_until
from tests.support.gitrepo import GitRepo

GREETING = "/v1/prompts/default/greeting"
GREETING_FILE = "prompts/default/greeting.yaml"
NEW = "Hello from {{ brand_name }}!\n"
CLIENTS = 20


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def put(api: WritingApi, body: dict[str, object], path: str = GREETING,
        **headers: str) -> httpx.Response:
    return api.server.client.put(path, json=body, headers={**bearer(api.key), **headers})


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body: dict[str, object] = response.json()
    assert "Traceback" not in response.text
    return body


@pytest.fixture
def api(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[WritingApi]:
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json") as served:
        yield served


@pytest.mark.timeout(120)
def test_a_put_to_main_is_published_and_served_by_a_reader_in_another_process(
        api: WritingApi) -> None:
    response = put(api, {"version": 1, "template": NEW, "message": "Shorter greeting"})
    assert response.status_code == 201, response.text
    done = response.json()
    assert (done["prompt"], done["action"], done["version"]) == ("default/greeting", "update", 2)
    assert done["published"] is True and done["branch"] == "main"
    assert response.headers["etag"] == '"2"'
    assert api.repo.head("main") == done["commit"]
    wait_until(lambda: state(api.db_url)[0] == done["commit"], timeout=30)
    version, commit, _source = reader_in_another_process(api.db_url, None, 2)
    assert (int(version), commit) == (2, done["commit"])


@pytest.mark.timeout(180)
# The race is on the git ref; the database only publishes. PostgreSQL runs in the slow pass.
@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def test_twenty_clients_put_one_version_at_once_one_wins_nineteen_conflict(
        prompt_repo: GitRepo, database: str, request: pytest.FixtureRequest,
        redis_url: str, tmp_path: Path) -> None:
    db_url = str(request.getfixturevalue("sqlite_url" if database == "sqlite" else "pg_url"))
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    before = prompt_repo.head()
    with writing_api(prompt_repo, db_url, tmp_path / "keys.json", redis_url=redis_url) as api:
        barrier = threading.Barrier(CLIENTS)

        def one(n: int) -> httpx.Response:
            with httpx.Client(base_url=api.server.url, timeout=60) as client:
                barrier.wait(timeout=30)
                return client.put(GREETING, headers=bearer(api.key), json={
                    "version": 1, "template": f"Hi #{n}, {{{{ brand_name }}}}\n"})

        with ThreadPoolExecutor(CLIENTS) as pool:
            responses = list(pool.map(one, range(CLIENTS)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * (CLIENTS - 1), [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 201)
        assert prompt_repo.git("rev-list", "--count", f"{before}..main") == "1"
        assert prompt_repo.head("main") == winner["commit"]
        wait_until(lambda: state(db_url)[0] == winner["commit"], timeout=30)
        version, commit, _ = reader_in_another_process(db_url, redis_url, 2)
        assert (int(version), commit) == (2, winner["commit"])


def test_a_409_body_has_what_the_page_needs_to_show_the_conflict(api: WritingApi) -> None:
    first = put(api, {"version": 1, "template": NEW, "message": "First"})
    assert first.status_code == 201
    late = put(api, {"version": 1, "template": "Good day, {{ brand_name }}.\n"})
    body = problem(late, 409)
    assert body["type"] == "urn:promptsync:problem:edit-conflict"
    assert body["title"] == "Conflict" and body["instance"] == GREETING
    assert body["prompt"] == "default/greeting" and body["reason"] == "version-moved"
    assert body["your_version"] == 1 and late.headers["etag"] == '"2"'
    current = body["current"]
    assert isinstance(current, dict)
    assert current["version"] == 2 and current["template"] == NEW
    assert current["commit"] == first.json()["commit"] and current["author"] == "dana"
    assert current["email"] == "dana@promptsync.invalid" and current["subject"] == "First"
    assert current["date"] and current["branch"] == "main"
    diff = str(body["diff"])
    assert "-Good day, {{ brand_name }}." in diff and "+Hello from {{ brand_name }}!" in diff
    assert "version 2" in str(body["detail"]) and "dana" in str(body["detail"])


def test_an_invalid_template_is_422_with_findings_and_writes_nothing(api: WritingApi) -> None:
    before = api.repo.head()
    body = problem(put(api, {"version": 1, "template": "Hi {{ usr_name }}\n"}), 422)
    findings = body["findings"]
    assert isinstance(findings, list)
    assert {f["code"] for f in findings} >= {"variable-undeclared"}
    # Placed in the template as the editor wrote it (line 1, the column of the name), not as a
    # line of a file the editor never sees.
    undeclared = next(f for f in findings if f["code"] == "variable-undeclared")
    assert (undeclared["field"], undeclared["line"], undeclared["column"], undeclared["path"]) \
        == ("template", 1, 7, "")
    assert GREETING_FILE not in str(body["detail"]) and "template line 1" in str(body["detail"])
    assert api.repo.head() == before


def test_a_422_says_where_in_the_template_or_which_field_not_the_file_line(
        api: WritingApi) -> None:
    """The editor never sees the committed file (its samples come after the template there):
    a finding names the template's line and column, or the field, as a preview's does; the
    file's place stays in file_line and file_column."""
    body = problem(put(api, {"version": 1, "template": "Hello {{ brand_name }},\n"
                                                        "nice to see you {{ usr_name }}!\n"}), 422)
    undeclared = {f["code"]: f for f in body["findings"]}["variable-undeclared"]  # type: ignore
    assert (undeclared["field"], undeclared["line"]) == ("template", 2)
    assert undeclared["column"] == len("nice to see you {{ ") + 1
    assert undeclared["path"] == "" and undeclared["file_line"] > 2  # "": the prompt's own
    assert " of prompts/" not in str(body["detail"])
    assert "(template line 2, column" in str(body["detail"])
    body = problem(put(api, {"version": 1, "template": NEW,
                             "samples": [{"name": "odd", "context": {"brand_name": 5}}]}), 422)
    mistyped = {f["code"]: f for f in body["findings"]}["variable-type"]  # type: ignore
    assert (mistyped["field"], mistyped["line"]) == ("samples", 0)
    assert str(body["detail"]).endswith("(samples)")


def test_the_version_comes_from_if_match_and_without_one_it_is_428(api: WritingApi) -> None:
    assert problem(put(api, {"template": NEW}), 428)["type"].endswith("version-required")
    response = put(api, {"template": NEW}, **{"If-Match": '"1"'})
    assert response.status_code == 201 and response.json()["version"] == 2
    assert problem(put(api, {"template": NEW}, **{"If-Match": "one"}), 400)


def test_keys_scope_and_brands_are_checked(api: WritingApi, tmp_path: Path) -> None:
    keys = KeyStore(api.server.ctx.settings.keys_file)
    reader = keys.add("rita", Scope.READ, None)
    acme = keys.add("acme-admin", Scope.WRITE, ["acme"])
    client = api.server.client
    assert problem(client.put(GREETING, json={"version": 1, "template": NEW}), 401)
    assert problem(client.put(GREETING, json={"version": 1, "template": NEW},
                              headers=bearer(reader)), 403)
    denied = problem(client.put(GREETING, json={"version": 1, "template": NEW},
                                headers=bearer(acme)), 403)
    assert denied["detail"] == "this key may edit brand acme only"


def test_create_delete_and_rollback(api: WritingApi) -> None:
    acme = "/v1/prompts/acme/greeting"
    body = {"template": "Welcome to Acme, {{ brand_name }}.\n",
            "variables": {"brand_name": {"type": "string", "required": True}},
            "samples": [{"name": "plain", "context": {"brand_name": "Acme"}}]}
    created = put(api, body, acme, **{"If-None-Match": "*"})
    assert created.status_code == 201, created.text
    assert created.json()["action"] == "create" and created.json()["version"] == 1
    assert problem(put(api, body, acme, **{"If-None-Match": "*"}), 409)["reason"] == "exists"
    client = api.server.client
    assert problem(client.delete(acme, headers=bearer(api.key)), 428)
    deleted = client.delete(acme, headers={**bearer(api.key), "If-Match": '"1"'})
    assert deleted.status_code == 200 and deleted.json()["action"] == "delete"
    assert api.repo.git("ls-tree", "main", "--", "prompts/acme/greeting.yaml") == ""

    assert put(api, {"version": 1, "template": NEW}).status_code == 201
    back = client.post(GREETING + "/rollback", headers=bearer(api.key),
                       json={"to": "v1", "version": 2, "message": "Restore the old greeting"})
    assert back.status_code == 201, back.text
    assert back.json()["action"] == "rollback" and back.json()["version"] == 3
    text = api.repo.git("show", f"main:{GREETING_FILE}")
    assert NEW.strip() not in text and yaml.safe_load(text)["version"] == 3
    missing = client.post(GREETING + "/rollback", headers=bearer(api.key),
                          json={"to": "v9", "version": 3})
    assert problem(missing, 404)


def test_locale_names_the_translation_file(api: WritingApi) -> None:
    response = put(api, {"template": "Hallo {{ brand_name }}!\n"}, GREETING + "?locale=de_DE",
                   **{"If-None-Match": "*"})
    # Whether a translation validates is the languages work's to say; the path is ours.
    if response.status_code == 201:
        assert response.json()["prompt"] == "default/greeting.de-DE"
        assert response.headers["etag"] == '"1-de-DE"'
    else:
        body = problem(response, 422)
        assert body["prompt"] == "default/greeting.de-DE"
    assert problem(put(api, {"template": NEW}, GREETING + "?locale=%21%21",
                       **{"If-None-Match": "*"}), 400)


@pytest.mark.timeout(120)
def test_a_failed_push_names_the_remote_without_its_token(prompt_repo: GitRepo, sqlite_url: str,
                                                          tmp_path: Path) -> None:
    secret = "s3cr3t-t0ken"
    # Port 9 (discard) is privileged and nothing here serves it: a free port picked at random
    # could be taken by another test's server meanwhile, which answers 404 instead.
    prompt_repo.git("remote", "add", "origin",
                    f"http://127.0.0.1:9/prompts.git?access_token={secret}")
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json", write_to="branch",
                     daemon=False) as api:
        response = put(api, {"version": 1, "template": NEW})
        body = problem(response, 502)
    assert "unable to access" in str(body["detail"])  # git's message, URL and all
    assert secret not in response.text
    assert "access_token=***" in str(body["detail"])


@pytest.mark.timeout(120)
def test_a_review_branch_put_is_pushed_to_the_remote(prompt_repo: GitRepo, sqlite_url: str,
                                                     tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(prompt_repo.path), str(remote)],
                   check=True)
    prompt_repo.git("remote", "add", "origin", str(remote))
    assert sync_once(prompt_repo, sqlite_url) == 0
    main = prompt_repo.head("main")
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json", write_to="branch",
                     daemon=False) as api:
        response = put(api, {"version": 1, "template": NEW, "message": "Please review"})
        assert response.status_code == 201, response.text
        done = response.json()
        assert done["published"] is False and done["live"] is None
        assert done["branch"] == "edit/default/greeting/v2" and done["pushed_to"] == "origin"
        on_remote = subprocess.run(["git", "rev-parse", "refs/heads/edit/default/greeting/v2"],
                                   cwd=remote, capture_output=True, text=True, check=True)
        assert on_remote.stdout.strip() == done["commit"]
        assert prompt_repo.head("main") == main
        again = problem(put(api, {"version": 1, "template": "Other text\n"}), 409)
        assert again["reason"] == "being-edited"


@pytest.mark.parametrize("line", ["Rolled-back-to: 1234567890abcdef", "admin-key: sha256:abcdef12",
                                  "Action: rollback", "This reverts commit 1234567890abcdef."])
def test_a_message_cannot_carry_the_lines_the_server_writes(api: WritingApi, line: str) -> None:
    # A write key could make its edit read as a rollback, or as another key's, in the audit,
    # `promptsync history` and prompt_versions.
    before = api.repo.head()
    body = problem(put(api, {"version": 1, "template": NEW, "message": f"Tidy\n\n{line}"}), 422)
    assert "server writes" in str(body["detail"])
    assert api.repo.head() == before
