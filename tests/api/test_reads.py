"""GET /v1/prompts[/{brand}/{type}] over real HTTP, from a database the real daemon filled."""

from __future__ import annotations

from pathlib import Path

from promptsync import PromptReader
from promptsync.api.keys import Scope
from tests.api.conftest import add_key, bearer
from tests.api.server import Running
from tests.api.test_skeleton import problem
from tests.daemon.helpers import execute, live, sync_once
from tests.support.gitrepo import GitRepo


def test_a_brands_own_prompt_is_served_with_its_version_commit_and_time(api: Running) -> None:
    repo_head = GitRepo(api.ctx.settings.repo).head()
    response = api.client.get("/v1/prompts/northwind/greeting")
    assert response.status_code == 200, response.text
    body = response.json()
    version, commit = live(api.ctx.settings.db_url)["northwind/greeting"]
    assert body["resolved_from"] == "own" and body["answered_by"] == "northwind"
    assert (body["version"], body["commit"]) == (version, commit) and commit == repo_head
    assert body["live_since"] and body["type"] == "GREETING"
    assert response.headers["etag"] == f'"{version}"' == body["etag"]
    with PromptReader(db_url=api.ctx.settings.db_url) as reader:
        assert body["template"] == reader.get("northwind", "greeting").template


def test_an_inherited_prompt_says_it_comes_from_default(api: Running) -> None:
    body = api.client.get("/v1/prompts/northwind/rejection").json()
    assert body["resolved_from"] == "default" and body["answered_by"] == "default"
    assert body["etag"] == f'"default-{body["version"]}"'


def test_if_none_match_answers_304_until_the_prompt_changes(api: Running) -> None:
    first = api.client.get("/v1/prompts/northwind/greeting")
    etag = first.headers["etag"]
    again = api.client.get("/v1/prompts/northwind/greeting", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    weak = api.client.get("/v1/prompts/northwind/greeting",
                          headers={"If-None-Match": f'"nope", W/{etag}'})
    assert weak.status_code == 304
    repo = GitRepo(api.ctx.settings.repo)
    repo.bump("prompts/northwind/greeting.yaml", "Hey there", "Hello there")
    repo.commit("Warmer greeting")
    assert sync_once(repo, api.ctx.settings.db_url) == 0
    changed = api.client.get("/v1/prompts/northwind/greeting", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["commit"] == repo.head()


def test_the_list_resolves_every_brand_and_type(api: Running) -> None:
    cells = api.client.get("/v1/prompts").json()["prompts"]
    by_cell = {(c["brand"], c["type"]): c for c in cells}
    assert {b for b, _ in by_cell} == {"default", "harbor-bank", "northwind"}
    assert len(cells) == 3 * 6
    assert by_cell[("northwind", "GREETING")]["resolved_from"] == "own"
    assert by_cell[("northwind", "REJECTION")]["resolved_from"] == "default"
    single = api.client.get("/v1/prompts/northwind/greeting").json()
    assert by_cell[("northwind", "GREETING")] == single | {
        "locales": by_cell[("northwind", "GREETING")]["locales"]}
    only = api.client.get("/v1/prompts", params={"brand": "northwind", "type": "farewell"})
    assert [(c["brand"], c["type"]) for c in only.json()["prompts"]] == [
        ("northwind", "FAREWELL")]


def test_the_built_in_text_answers_when_no_brand_has_the_type(api: Running) -> None:
    # The validator keeps every type in brand default, so only a database that lost the rows
    # (a restore, a hand edit) serves a built-in text: play that.
    execute(api.ctx.settings.db_url, "DELETE FROM prompts WHERE type = 'HANDOFF'")
    execute(api.ctx.settings.db_url, "UPDATE sync_state SET generation = generation + 1")
    cells = api.client.get("/v1/prompts", params={"type": "handoff"}).json()["prompts"]
    assert {c["resolved_from"] for c in cells} == {"builtin"}
    single = api.client.get("/v1/prompts/northwind/handoff").json()
    cell = cells[[c["brand"] for c in cells].index("northwind")]
    assert single == {k: v for k, v in cell.items() if k != "locales"}
    assert single["commit"] == "builtin" and single["live_since"] is None
    assert single["answered_by"] == "builtin" and single["etag"].startswith('"builtin-')


def test_unknown_brands_types_and_bad_names_are_problems(api: Running) -> None:
    c = api.client
    assert "brand default's" in str(problem(c.get("/v1/prompts/acme/greeting"), 404)["detail"])
    unknown = problem(c.get("/v1/prompts/default/welcome"), 404)
    assert "the types are system_prompt, greeting" in str(unknown["detail"])
    assert "not a brand name" in str(problem(c.get("/v1/prompts/Acme!/greeting"), 400)["detail"])
    assert problem(c.get("/v1/prompts/%2E%2E/greeting"), 400)["type"].endswith("bad-brand")  # type: ignore[union-attr]
    problem(c.get("/v1/prompts/default%2Fx/greeting"), 404)  # an encoded slash is no segment
    assert "locale tag" in str(problem(c.get("/v1/prompts/default/greeting",
                                             params={"locale": "de__CH!"}), 400)["detail"])
    problem(c.get("/v1/prompts", params={"brand": "acme"}), 404)


def test_a_locale_is_accepted_and_the_answer_says_which_answered(api: Running) -> None:
    body = api.client.get("/v1/prompts/northwind/greeting", params={"locale": "de_ch"}).json()
    assert body["locale"] == "de-CH"
    assert body["answered_locale"] in ("", "de-CH", "de")


def test_reads_need_a_read_key_once_keys_exist(api: Running, keys_file: Path) -> None:
    key = add_key(keys_file, "viewer", Scope.READ)
    problem(api.client.get("/v1/prompts/default/greeting"), 401)
    assert api.client.get("/v1/prompts/default/greeting", headers=bearer(key)).status_code == 200
