"""POST /v1/prompts/{brand}/{type}/preview over real HTTP, against a real repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from promptsync.api.keys import Scope
from tests.api.conftest import add_key, bearer
from tests.api.server import Running
from tests.api.test_skeleton import problem
from tests.support.gitrepo import GitRepo

URL = "/v1/prompts/default/greeting/preview"
DECLARED = {"user_name": {"type": "string", "required": True}}


def post(api: Running, body: dict[str, Any], url: str = URL) -> Any:
    return api.client.post(url, json=body)


def findings(response: Any, status: int = 422) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = problem(response, status)["findings"]  # type: ignore[assignment]
    return found


def test_a_shipped_prompt_renders_with_its_first_sample_a_named_one_or_a_context(
        api: Running) -> None:
    first = post(api, {})
    assert first.status_code == 200, first.text
    assert first.json()["text"] == "Hi there, welcome to Acme!\nHow can I help you today?"
    assert first.json()["commit"] == GitRepo(api.ctx.settings.repo).head()
    assert first.json()["draft"] is False
    named = post(api, {"sample": "returning customer"}).json()["text"]
    assert named.startswith("Hi José, welcome back to Acme!")
    given = post(api, {"context": {"brand_name": "Initech", "user_name": "Dana"}}).json()
    assert given["text"].startswith("Hi Dana, welcome to Initech!")
    over = post(api, {"sample": "new visitor", "context": {"brand_name": "Globex"}}).json()
    assert "Globex" in over["text"]


def test_an_inherited_prompt_previews_default_s_file(api: Running) -> None:
    body = post(api, {}, "/v1/prompts/northwind/rejection/preview").json()
    assert body["path"] == "prompts/default/rejection.yaml"


def test_a_draft_renders_with_its_own_variables_and_samples(api: Running) -> None:
    url = "/v1/prompts/harbor-bank/greeting/preview"  # no translations to keep in step
    body = post(api, {"template": "Hello {{ user_name }}!", "variables": DECLARED,
                      "samples": [{"name": "bo", "context": {"user_name": "Bo"}}]}, url).json()
    assert body == {"text": "Hello Bo!", "findings": [],
                    "path": "prompts/harbor-bank/greeting.yaml", "commit": body["commit"],
                    "draft": True}


def test_a_draft_that_breaks_a_translation_is_refused_as_its_save_would_be(
        api: Running) -> None:
    # default's greeting has German and French translations that declare brand_name: a base
    # text without it leaves them declaring a variable their base does not have.
    body = problem(post(api, {"template": "Hello {{ user_name }}!", "variables": DECLARED,
                              "samples": [{"name": "bo", "context": {"user_name": "Bo"}}]}),
                   422)
    broken = {(f["path"], f["code"]) for f in body["findings"] if f["severity"] == "error"}
    assert broken == {("prompts/default/greeting.de.yaml", "translation-variable"),
                      ("prompts/default/greeting.fr.yaml", "translation-variable")}


def test_a_draft_keeps_the_files_variables_and_reports_warnings_with_template_places(
        api: Running) -> None:
    body = post(api, {"template": "Hi {{ user_name }}, this is {{ brand_name }}.\n"}).json()
    assert body["text"] == "Hi , this is Acme."  # Jinja drops one trailing line break
    own = [f for f in body["findings"] if not f["path"]]
    assert {f["message"].split("'")[1] for f in own} == {"agent_name", "is_returning"}
    assert {f["field"] for f in own} == {"variables"}
    # As its save would say: the draft is the next version, so the translations go stale.
    stale = {f["path"] for f in body["findings"] if f["code"] == "stale-translation"}
    assert stale == {"prompts/default/greeting.de.yaml", "prompts/default/greeting.fr.yaml"}


def test_a_findings_line_and_column_are_in_the_drafts_template(api: Running) -> None:
    draft = "Hello!\n\n  Dear {{ usr_name }}, welcome to {{ brand_name }}."
    found = findings(post(api, {"template": draft}))
    undeclared = next(f for f in found if f["code"] == "variable-undeclared")
    assert (undeclared["field"], undeclared["line"], undeclared["column"]) == ("template", 3, 11)
    assert draft.splitlines()[2][10:].startswith("usr_name")
    syntax = findings(post(api, {"template": "one\ntwo {{ user_name }\nthree"}))
    assert [(f["code"], f["line"]) for f in syntax if f["severity"] == "error"] == [
        ("jinja-syntax", 2)]


def test_a_new_brands_draft_previews_and_without_a_draft_it_is_unknown(api: Running) -> None:
    url = "/v1/prompts/acme/greeting/preview"
    assert "send a draft" in str(problem(post(api, {}, url), 404)["detail"])
    made = post(api, {"template": "Welcome to {{ brand_name }}, {{ user_name }}",
                      "variables": {**DECLARED, "brand_name": {"type": "string"}},
                      "samples": [{"name": "s", "context": {"user_name": "Al",
                                                             "brand_name": "Acme"}}]}, url)
    assert made.json()["text"] == "Welcome to Acme, Al" and made.json()["path"] == (
        "prompts/acme/greeting.yaml")


def test_loops_huge_outputs_and_ssti_payloads_are_stopped_and_reported(api: Running) -> None:
    loop = "{% for i in range(99999) %}{% for j in range(99999) %}{{ j }}{% endfor %}{% endfor %}"
    huge = "{{ 'x' * 9999 }}" * 20
    ssti = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    cycler = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
    for template, code in ((loop, "sample-"), (huge, "sample-"), (ssti, "template-unsafe"),
                           (cycler, "template-unsafe")):
        found = findings(post(api, {"template": template}))
        errors = [f for f in found if f["severity"] == "error"]
        assert errors and any(f["code"].startswith(code) for f in errors), (template, errors)
    rendered = post(api, {"sample": "new visitor", "context": {"brand_name": "x" * 200_000}})
    assert any(f["code"].startswith("render-") for f in findings(rendered))


def test_a_context_that_leaves_a_required_variable_out_is_a_422_that_names_it(
        api: Running) -> None:
    response = post(api, {"context": {"user_name": "Dana"}})
    assert "required variable 'brand_name' missing" in str(problem(response, 422)["detail"])
    assert "its samples: 'new visitor'" in str(problem(post(api, {"sample": "nope"}), 422)[
        "detail"])


def test_preview_needs_a_preview_key_once_keys_exist(api: Running, keys_file: Path) -> None:
    reader = add_key(keys_file, "ro", Scope.READ)
    previewer = add_key(keys_file, "pv", Scope.PREVIEW)
    problem(post(api, {}), 401)
    problem(api.client.post(URL, json={}, headers=bearer(reader)), 403)
    assert api.client.post(URL, json={}, headers=bearer(previewer)).status_code == 200


def test_bad_preview_bodies_are_problems(api: Running) -> None:
    c = api.client
    problem(c.post(URL, content=b"{", headers={"Content-Type": "application/json"}), 400)
    problem(c.post(URL, content=b"sample=x", headers={"Content-Type": "text/plain"}), 415)
    wrong = problem(c.post(URL, json={"context": "Dana"}), 422)
    assert wrong["errors"][0]["where"] == "body.context"  # type: ignore[index]
    problem(c.post(URL, json=[1, 2]), 422)
    big = {"context": {"user_name": "x" * (10 * 1024 * 1024)}}
    problem(c.post(URL, json=big), 413)
