"""The seams every route builds on, over real HTTP: problem documents, keys and scopes, the body
cap, offline docs. A test router plays a route of each scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from promptsync.api.app import create_app
from promptsync.api.auth import Reader, Writer
from promptsync.api.keys import Scope
from promptsync.api.limits import require_json
from promptsync.api.problems import MEDIA_TYPE, Problem
from tests.api.conftest import add_key, bearer
from tests.api.server import Running, make_context, running
from tests.support.gitrepo import GitRepo


class Body(BaseModel):
    n: int


probe = APIRouter()


@probe.get("/v1/test/read")
async def read(caller: Reader) -> dict[str, str]:
    return {"name": caller.name}


@probe.post("/v1/test/write/{brand}", dependencies=[Depends(require_json)])
async def write(brand: str, body: Body, caller: Writer) -> dict[str, int]:
    caller.check_brand(brand)
    return {"n": body.n}


@probe.get("/v1/test/conflict")
async def conflict() -> None:
    raise Problem(409, "Conflict", "the prompt changed", type="version-conflict", current=4)


@probe.get("/v1/test/bug")
async def bug() -> None:
    raise RuntimeError("secret internals /etc/passwd")


@pytest.fixture
def served(prompt_repo: GitRepo, sqlite_url: str, keys_file: Path) -> Iterator[Running]:
    ctx = make_context(prompt_repo.path, sqlite_url, keys_file)
    app = create_app(ctx)
    app.include_router(probe)
    with running(ctx, app) as server:
        yield server


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["title"] and "Traceback" not in response.text
    return body


def test_a_problem_carries_its_type_detail_instance_and_extensions(served: Running) -> None:
    body = problem(served.client.get("/v1/test/conflict"), 409)
    assert body == {"type": "urn:promptsync:problem:version-conflict", "title": "Conflict",
                    "status": 409, "detail": "the prompt changed",
                    "instance": "/v1/test/conflict", "current": 4}


def test_an_unknown_path_and_a_wrong_method_are_problems(served: Running) -> None:
    assert "under /v1" in str(problem(served.client.get("/v1/nothing"), 404)["detail"])
    assert "GET" in str(problem(served.client.delete("/v1/test/read"), 405)["detail"])


def test_a_bug_is_a_500_problem_without_its_traceback(served: Running) -> None:
    response = served.client.get("/v1/test/bug")
    problem(response, 500)
    assert "passwd" not in response.text and "RuntimeError" not in response.text


def test_without_any_key_reads_are_open_and_writes_are_not(served: Running) -> None:
    assert served.client.get("/v1/test/read").json() == {"name": "anonymous"}
    body = problem(served.client.post("/v1/test/write/acme", json={"n": 1}), 401)
    assert "edits always need a key" in str(body["detail"])


def test_once_a_key_exists_reads_need_one(served: Running, keys_file: Path) -> None:
    add_key(keys_file, "ada", Scope.READ)
    response = served.client.get("/v1/test/read")
    assert "this server has API keys" in str(problem(response, 401)["detail"])
    assert response.headers["www-authenticate"].startswith("Bearer")
    wrong = served.client.get("/v1/test/read", headers=bearer("ps_wrong"))
    assert problem(wrong, 401)["type"] == "urn:promptsync:problem:key-unknown"
    basic = served.client.get("/v1/test/read", headers={"Authorization": "Basic YTpi"})
    assert "Bearer" in str(problem(basic, 401)["detail"])


def test_open_reads_need_no_key_even_when_keys_exist(prompt_repo: GitRepo, sqlite_url: str,
                                                     keys_file: Path) -> None:
    add_key(keys_file, "ada", Scope.READ)
    ctx = make_context(prompt_repo.path, sqlite_url, keys_file, open_reads=True)
    app = create_app(ctx)
    app.include_router(probe)
    with running(ctx, app) as server:
        assert server.client.get("/v1/test/read").json() == {"name": "anonymous"}
        assert server.client.post("/v1/test/write/acme", json={"n": 1}).status_code == 401


def test_scopes_nest_and_a_brand_key_edits_its_brand_only(served: Running,
                                                          keys_file: Path) -> None:
    reader = add_key(keys_file, "ro", Scope.READ)
    writer = add_key(keys_file, "acme-admin", Scope.WRITE, ["acme"])
    assert served.client.get("/v1/test/read", headers=bearer(writer)).json() == {
        "name": "acme-admin"}
    denied = served.client.post("/v1/test/write/acme", json={"n": 1}, headers=bearer(reader))
    assert problem(denied, 403)["detail"] == "this key has scope read; this needs write"
    ok = served.client.post("/v1/test/write/acme", json={"n": 2}, headers=bearer(writer))
    assert ok.json() == {"n": 2}
    other = served.client.post("/v1/test/write/globex", json={"n": 3}, headers=bearer(writer))
    assert problem(other, 403)["detail"] == "this key may edit brand acme only"


def test_bad_bodies_say_what_to_fix(served: Running, keys_file: Path) -> None:
    key = bearer(add_key(keys_file, "root", Scope.WRITE))
    url = "/v1/test/write/acme"
    malformed = served.client.post(url, content=b'{"n": 1', headers={
        **key, "Content-Type": "application/json"})
    assert "not valid JSON" in str(problem(malformed, 400)["detail"])
    wrong_type = served.client.post(url, json={"n": "many"}, headers=key)
    body = problem(wrong_type, 422)
    assert body["errors"] == [{"where": "body.n", "message": body["errors"][0]["message"]}]  # type: ignore[index]
    assert "many" not in wrong_type.text  # the input is not echoed
    form = served.client.post(url, content=b"n=1", headers={
        **key, "Content-Type": "application/x-www-form-urlencoded"})
    assert "Content-Type: application/json" in str(problem(form, 415)["detail"])


def test_a_body_over_the_cap_is_refused_before_it_is_read(served: Running,
                                                          keys_file: Path) -> None:
    key = bearer(add_key(keys_file, "root", Scope.WRITE))
    big = b'{"n": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    declared = served.client.post("/v1/test/write/acme", content=big, headers={
        **key, "Content-Type": "application/json"})
    assert "over 1,048,576 bytes" in str(problem(declared, 413)["detail"])

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"n": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    chunked = served.client.post("/v1/test/write/acme", content=chunks(), headers={
        **key, "Content-Type": "application/json"})
    problem(chunked, 413)


def test_the_docs_load_nothing_from_another_host(served: Running) -> None:
    page = served.client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text.replace(
        "https://swagger.io", "")
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs/assets/{asset}" in page.text
        assert served.client.get(f"/docs/assets/{asset}").status_code == 200
    spec = served.client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
