"""Requests and conditions an adversarial run found answered with a 500 (issue 18, item 6): each
is a 4xx that says what to fix, or a 503 that names what is missing, never "This is a bug"."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptsync.api.keys import Scope
from tests.api.conftest import add_key, bearer
from tests.api.server import Running, make_context, running
from tests.api.test_skeleton import problem
from tests.api.test_webhook import signed
from tests.support.gitrepo import GitRepo
from tests.support.servers import free_port

SECRET = "s3cret-for-tests"
LONG_ETAG = '"' + "9" * 5000 + '"'  # past Python's 4,300-digit int conversion limit


@pytest.fixture
def served(synced: tuple[GitRepo, str], keys_file: Path) -> Iterator[Running]:
    repo, db = synced
    with running(make_context(repo.path, db, keys_file, webhook_secret=SECRET)) as server:
        yield server


@pytest.mark.parametrize(("method", "path", "body"), [
    ("PUT", "/v1/prompts/default/greeting", {"template": "Hi"}),
    ("DELETE", "/v1/prompts/default/greeting", None),
    ("POST", "/v1/prompts/default/greeting/rollback", {"to": "v1"}),
])
def test_an_if_match_of_thousands_of_digits_is_a_400_that_does_not_echo_it(
        served: Running, keys_file: Path, method: str, path: str,
        body: dict[str, str] | None) -> None:
    key = add_key(keys_file, "ada", Scope.WRITE)
    answer = served.client.request(method, path, json=body,
                                   headers={**bearer(key), "If-Match": LONG_ETAG})
    detail = str(problem(answer, 400)["detail"])
    assert "If-Match" in detail and len(answer.content) < 1000


def test_a_signed_webhook_nested_100k_deep_is_a_400(served: Running) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    answer = served.client.post("/v1/hooks/github", content=body, headers={
        "X-GitHub-Event": "push", "X-GitHub-Delivery": "deep-1",
        "Content-Type": "application/json", "X-Hub-Signature-256": signed(body, SECRET)})
    assert "nested" in str(problem(answer, 400)["detail"])


def test_a_json_body_nested_100k_deep_is_a_400(served: Running) -> None:
    body = b'{"context": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = served.client.post("/v1/prompts/default/greeting/preview", content=body,
                                headers={"Content-Type": "application/json"})
    problem(answer, 400)


@pytest.mark.parametrize("path", ["/v1/prompts/northwind/greeting", "/v1/prompts",
                                  "/v1/prompts?brand=northwind", "/v1/status", "/readyz"])
def test_a_fresh_server_whose_database_is_unreachable_answers_503(
        prompt_repo: GitRepo, keys_file: Path, path: str) -> None:
    dead = f"postgresql+psycopg://promptsync@127.0.0.1:{free_port()}/promptsync"
    with running(make_context(prompt_repo.path, dead, keys_file)) as server:
        body = problem(server.client.get(path), 503)
        assert "This is a bug" not in str(body["detail"])


def test_a_corrupt_keys_file_fails_closed_with_503_and_one_log_line_naming_it(
        served: Running, keys_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    add_key(keys_file, "ada", Scope.READ)
    keys_file.write_text('{"keys": [{"name": "ada", "sha256": ', encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="promptsync"):
        for path in ("/v1/prompts/northwind/greeting", "/v1/prompts", "/v1/key"):
            body = problem(served.client.get(path), 503)
            assert "keys file" in str(body["detail"])
            assert str(keys_file) not in str(body["detail"])  # the path stays in the log
    named = [r for r in caplog.records if str(keys_file) in r.getMessage()]
    assert len(named) == 1, [r.getMessage() for r in caplog.records]
    assert served.client.get("/healthz").status_code == 200
    keys_file.write_text(json.dumps({"keys": []}), encoding="utf-8")  # fixed: open again
    assert served.client.get("/v1/prompts/northwind/greeting").status_code == 200
