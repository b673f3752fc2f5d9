"""Every front end of the API answers a domain question as the core does: the preview renders
as the runtime renders, a draft is checked as its save is, `/source` opens the file GET answers
from, and a bad brand is one answer everywhere (issue 16, items 3, 4, 5, 7, and 18's 11)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from promptsync.model import PromptType
from tests.api.edit_server import WritingApi, writing_api
from tests.api.server import Running
from tests.api.test_edits import bearer
from tests.api.test_skeleton import problem
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(120)
G = PromptType.GREETING
PREVIEW = "/v1/prompts/default/greeting/preview"


@pytest.mark.parametrize("value", ["no", "yes", "0", "1", "maybe", "", 0, 1, True, None])
def test_a_preview_renders_what_the_runtime_renders_for_the_same_context(
        api: Running, value: Any) -> None:
    # "no" is False to the runtime (declared boolean): the preview must not say "welcome back".
    context = {"brand_name": "Acme", "user_name": "Dana", "is_returning": value}
    response = api.client.post(PREVIEW, json={"context": context})
    assert response.status_code == 200, response.text
    assert response.json()["text"] == api.ctx.reader.render("default", G, context)


def test_a_preview_says_which_context_values_the_runtime_reads_otherwise(api: Running) -> None:
    body = api.client.post(PREVIEW, json={"context": {"brand_name": "Acme",
                                                      "is_returning": "maybe"}}).json()
    [note] = [f for f in body["findings"] if f["field"] == "context"]
    assert note["severity"] == "warning" and "is_returning is declared boolean" in \
        note["message"] and "drops it" in note["message"]
    assert "welcome to Acme" in body["text"]


@pytest.mark.parametrize("locale", ["de-CH", "de", "fr-CA", "it", None])
def test_source_opens_the_file_that_get_and_preview_answer_from(api: Running,
                                                                locale: str | None) -> None:
    params = {"locale": locale} if locale else {}
    got = api.client.get("/v1/prompts/northwind/greeting", params=params).json()
    source = api.client.get("/v1/prompts/northwind/greeting/source", params=params).json()
    preview = api.client.post("/v1/prompts/northwind/greeting/preview", params=params,
                              json={}).json()
    tail = f".{got['answered_locale']}" if got["answered_locale"] else ""
    answering = f"prompts/{got['answered_by']}/greeting{tail}.yaml"
    assert source["path"] == preview["path"] == answering, (locale, source, preview)


def test_a_function_printed_by_a_draft_is_a_sentence_not_a_memory_address(
        api: Running) -> None:
    response = api.client.post(PREVIEW, json={"context": {"brand_name": "acme"},
                                              "template": "Hi {{ brand_name.upper }}"})
    body = problem(response, 422)
    assert "0x" not in response.text and "built-in method" not in response.text
    assert "prints the function 'upper'" in str(body["detail"]) or any(
        "prints the function 'upper'" in f["message"] for f in body["findings"])


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/v1/prompts/Bad%20Brand!/greeting"),
    ("GET", "/v1/prompts/Bad%20Brand!/greeting/source"),
    ("POST", "/v1/prompts/Bad%20Brand!/greeting/preview"),
    ("PUT", "/v1/prompts/Bad%20Brand!/greeting"),
    ("DELETE", "/v1/prompts/Bad%20Brand!/greeting"),
    ("POST", "/v1/prompts/Bad%20Brand!/greeting/rollback"),
    ("GET", "/v1/audit?brand=Bad%20Brand!"),
])
def test_a_bad_brand_is_the_same_answer_from_every_route(writing: WritingApi, method: str,
                                                         url: str) -> None:
    body = {"PUT": {"version": 1, "template": "x"}, "POST": {"to": "v1", "version": 1}}.get(
        method) if "preview" not in url else {}
    response = writing.server.client.request(method, url, json=body,
                                             headers={**bearer(writing.key), "If-Match": '"1"'})
    found = problem(response, 400)
    assert found["type"].endswith("bad-brand"), found  # type: ignore[union-attr]


@pytest.fixture
def writing(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[WritingApi]:
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json", daemon=False) as served:
        yield served


def test_a_translation_draft_is_checked_as_its_save_is(writing: WritingApi) -> None:
    # The preview checked a translation without its base text, the save with it: the draft
    # showed only warnings, then the save was refused with translation-variable.
    url = "/v1/prompts/northwind/greeting"
    # `locale` is a runtime variable, but northwind's base greeting does not declare it.
    draft = {"template": "Hallo {{ brand_name }} ({{ locale }})!\n", "translated_from": 1,
             "variables": {"brand_name": {"type": "string", "required": True},
                           "locale": {"type": "string", "default": "de"}},
             "samples": [{"name": "one", "context": {"brand_name": "Northwind"}}]}
    client, auth = writing.server.client, bearer(writing.key)
    previewed = client.post(f"{url}/preview", params={"locale": "de"}, json=draft,
                            headers=auth)
    saved = client.put(url, params={"locale": "de"}, json={**draft, "version": 1},
                       headers=auth)
    assert previewed.status_code == saved.status_code == 422, (previewed.text, saved.text)
    codes = [sorted((f["code"], f["field"], f["line"]) for f in r.json()["findings"])
             for r in (previewed, saved)]
    assert codes[0] == codes[1]
    assert any(code == "translation-variable" for code, _, _ in codes[0])
