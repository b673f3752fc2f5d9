"""Locales over real HTTP: GET resolves a locale as the reader does and says which text answered,
the list shows every cell's translations, the audit names the locale, PUT ?locale= writes the
translation's file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from promptsync.model import PromptType
from promptsync.store.engine import make_engine
from tests.api.edit_server import WritingApi, writing_api
from tests.api.server import Running
from tests.api.test_edits import bearer, put
from tests.daemon.helpers import state, sync_once, wait_until
from tests.support.gitrepo import GitRepo
from tests.support.languages import brand_file, sync, syncer

G = PromptType.GREETING
FRENCH = "Bonjour {{ brand_name }} !"


def _add_french(api: Running, locale: str = "fr") -> str:
    """northwind/greeting.<locale>.yaml, as a translator writes it, synced by the daemon."""
    repo = GitRepo(api.ctx.settings.repo)
    base = yaml.safe_load(repo.read("prompts/northwind/greeting.yaml"))
    repo.write("prompts/northwind/brand.yaml", brand_file("en", ["de", "fr"]))
    repo.write(f"prompts/northwind/greeting.{locale}.yaml", yaml.safe_dump({
        "type": "GREETING", "locale": locale, "translated_from": base["version"], "version": 1,
        "variables": {"brand_name": base["variables"]["brand_name"]},
        "template": FRENCH + "\n"}, allow_unicode=True, sort_keys=False))
    head = repo.commit("Northwind greets in French")
    engine = make_engine(api.ctx.settings.db_url)
    try:
        sync(syncer(repo, engine, None))
    finally:
        engine.dispose()
    return head


def _get(api: Running, path: str, **params: str) -> dict[str, object]:
    response = api.client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_locale_is_answered_by_the_text_of_its_language(api: Running) -> None:
    head = _add_french(api)
    path = "/v1/prompts/northwind/greeting"
    # The server's reader polls the database's generation: it catches up within 100 ms.
    wait_until(lambda: _get(api, path, locale="fr-CA")["answered_locale"] == "fr")
    body = _get(api, path, locale="fr_ca")
    assert (body["locale"], body["answered_locale"], body["answered_by"]) == (
        "fr-CA", "fr", "northwind")
    assert (body["template"], body["commit"], body["etag"]) == (FRENCH + "\n", head, '"1-fr"')
    assert (body["answered_language"], body["language_fallback"]) == ("fr", False)
    assert body["live_since"] is not None
    italian = _get(api, path, locale="it")  # nobody has Italian: the brand's base text
    assert (italian["answered_locale"], italian["answered_by"]) == ("", "northwind")
    assert (italian["answered_language"], italian["language_fallback"]) == ("en", True)
    plain = _get(api, path)
    assert (plain["answered_locale"], plain["language_fallback"]) == ("", False)


def test_the_list_shows_translations_and_resolves_a_locale(api: Running) -> None:
    _add_french(api)
    cells = _get(api, "/v1/prompts", brand="northwind")["prompts"]
    assert isinstance(cells, list)
    greeting = next(c for c in cells if c["type"] == "GREETING")
    assert "fr" in greeting["locales"] and greeting["answered_locale"] == ""
    in_french = _get(api, "/v1/prompts", brand="northwind", type="greeting", locale="fr-CA")
    cells = in_french["prompts"]
    assert isinstance(cells, list)
    assert [(c["answered_by"], c["answered_locale"], c["template"]) for c in cells] == [
        ("northwind", "fr", FRENCH + "\n")]


def test_the_audit_names_the_locale(api: Running) -> None:
    head = _add_french(api, "fr-CA")  # a locale the project's own prompts do not have yet
    entries = _get(api, "/v1/audit", locale="fr-CA")["entries"]
    assert isinstance(entries, list)
    mine = [e for e in entries if e["commit"] == head]
    assert [(e["prompt"], e["locale"], e["action"]) for e in mine] == [
        ("northwind/greeting.fr-CA", "fr-CA", "create")]
    assert all(e["locale"] == "fr-CA" for e in entries)


@pytest.fixture
def writing(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[WritingApi]:
    prompt_repo.write("prompts/northwind/brand.yaml", brand_file("en", ["de", "fr", "it"]))
    prompt_repo.commit("Northwind serves Italian too")
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json") as served:
        yield served


@pytest.mark.timeout(120)
def test_a_put_with_a_locale_writes_and_publishes_the_translation(writing: WritingApi) -> None:
    body = {"template": "Ciao da {{ brand_name }}!\n", "translated_from": 1,
            "variables": {"brand_name": {"type": "string", "required": True}},
            "message": "Northwind greets in Italian"}
    response = put(writing, body, "/v1/prompts/northwind/greeting?locale=it",
                   **{"If-None-Match": "*"})
    assert response.status_code == 201, response.text
    done = response.json()
    assert (done["prompt"], done["action"], done["version"]) == (
        "northwind/greeting.it", "create", 1)
    assert response.headers["etag"] == '"1-it"'
    written = yaml.safe_load(writing.repo.git("show", "main:prompts/northwind/greeting.it.yaml"))
    assert (written["locale"], written["translated_from"], written["version"]) == ("it", 1, 1)
    wait_until(lambda: state(writing.db_url)[0] == done["commit"], timeout=30)
    deadline = time.monotonic() + 10
    while True:
        got = writing.server.client.get("/v1/prompts/northwind/greeting",
                                        params={"locale": "it-CH"},
                                        headers=bearer(writing.key)).json()
        if got["answered_locale"] == "it" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert (got["answered_locale"], got["template"]) == ("it", body["template"])
