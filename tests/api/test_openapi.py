"""The OpenAPI document says what the server does (issue 18, item 12), each point checked
against a real answer of a real server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from promptsync.api.keys import Scope
from promptsync.api.problems import MEDIA_TYPE
from tests.api.conftest import add_key, bearer
from tests.api.server import Running
from tests.api.test_skeleton import problem

PROMPT = "/v1/prompts/{brand}/{type}"


@pytest.fixture
def document(api: Running) -> dict[str, Any]:
    found: dict[str, Any] = api.client.get("/openapi.json").json()
    return found


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items()
            for method, op in item.items()]


def schema_of(document: dict[str, Any], ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    ref = ref_or_schema.get("$ref", "")
    found: dict[str, Any] = (document["components"]["schemas"][ref.rsplit("/", 1)[1]]
                             if ref else ref_or_schema)
    return found


def test_a_put_or_rollback_without_a_version_is_a_documented_428(
        api: Running, document: dict[str, Any], keys_file: Path) -> None:
    key = add_key(keys_file, "ada", Scope.WRITE)
    for method, path, body in (("put", PROMPT, {"template": "Hi"}),
                               ("post", PROMPT + "/rollback", {"to": "v1"})):
        assert "428" in document["paths"][path][method]["responses"], (method, path)
        real = path.format(brand="default", type="greeting")
        problem(api.client.request(method, real, json=body, headers=bearer(key)), 428)


def test_every_error_is_documented_as_a_problem_document(document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        for status, response in op["responses"].items():
            if status[0] in "45":
                assert list(response.get("content", {})) == [MEDIA_TYPE], (method, path, status)
        assert "400" in op["responses"], (method, path)  # a Host the server does not answer
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_an_invalid_query_is_a_problem_document_as_documented(api: Running) -> None:
    problem(api.client.get("/v1/prompts", params={"type": "x" * 65}), 422)


def test_an_empty_locale_is_the_base_text_and_documented_so(api: Running,
                                                            document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        for parameter in op.get("parameters", []):
            if parameter["name"] == "locale" and parameter["in"] == "query":
                assert re.fullmatch(parameter["schema"]["pattern"], ""), (method, path)
                assert "null" not in str(parameter["schema"]), (method, path)
    empty = api.client.get("/v1/prompts/northwind/greeting", params={"locale": ""})
    assert empty.status_code == 200 and empty.json()["answered_locale"] == ""
    assert api.client.get("/v1/coverage?brand=&locale=").status_code == 200


def test_options_and_405_name_every_method_of_the_path(api: Running) -> None:
    answer = api.client.options("/v1/prompts/northwind/greeting")
    assert answer.status_code == 204
    assert answer.headers["allow"] == "GET, PUT, DELETE, OPTIONS"
    refused = api.client.patch("/v1/prompts/northwind/greeting")
    problem(refused, 405)
    assert refused.headers["allow"] == "GET, PUT, DELETE, OPTIONS"
    assert api.client.options("/v1/prompts/northwind/greeting/preview").headers["allow"] == \
        "POST, OPTIONS"
    assert api.client.options("/no/such/path").status_code == 404


def test_etags_dates_and_commit_ids_have_their_formats(api: Running,
                                                      document: dict[str, Any]) -> None:
    get = document["paths"][PROMPT]["get"]["responses"]
    answer = api.client.get("/v1/prompts/northwind/greeting")
    for status in ("200", "304"):
        pattern = get[status]["headers"]["ETag"]["schema"]["pattern"]
        assert re.fullmatch(pattern, answer.headers["etag"]), status
    for method in ("put",):
        assert "ETag" in document["paths"][PROMPT][method]["responses"]["201"]["headers"]
    prompt = document["components"]["schemas"]["PromptOut"]["properties"]
    assert re.fullmatch(prompt["commit"]["pattern"], answer.json()["commit"])
    assert re.fullmatch(prompt["commit"]["pattern"], "builtin")
    assert re.fullmatch(prompt["etag"]["pattern"], answer.json()["etag"])
    assert "date-time" in str(prompt["live_since"])
    audit = document["components"]["schemas"]["AuditEntry"]["properties"]
    assert audit["date"]["format"] == "date-time" and "pattern" in audit["commit"]
    for name in ("EditOut", "SourceOut", "PreviewOut", "CoverageOut", "VariablesOut"):
        commit = schema_of(document, document["components"]["schemas"][name])["properties"]
        assert re.fullmatch(commit["commit"]["pattern"], "a" * 40), name
