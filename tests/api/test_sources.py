"""GET /v1/prompts/{brand}/{type}/source, GET /v1/variables and GET /v1/key: what the
editors' page starts from, read from the real repository and key file."""

from __future__ import annotations

from pathlib import Path

from promptsync.api.keys import Scope
from tests.api.conftest import add_key, bearer
from tests.api.server import Running
from tests.support.gitrepo import GitRepo


def test_source_of_an_own_prompt_carries_samples_and_the_version_to_edit(api: Running) -> None:
    body = api.client.get("/v1/prompts/default/greeting/source").json()
    assert body["own"] is True
    assert body["path"] == "prompts/default/greeting.yaml"
    assert body["version"] == 1
    assert body["samples"][0]["name"] == "new visitor"
    assert "brand_name" in body["variables"]
    assert "{{ brand_name }}" in body["template"]


def test_an_inherited_prompt_answers_defaults_file_with_version_0(api: Running) -> None:
    body = api.client.get("/v1/prompts/harbor-bank/farewell/source").json()
    assert (body["own"], body["version"]) == (False, 0)
    assert body["path"] == "prompts/default/farewell.yaml"


def test_source_at_an_earlier_commit(api: Running, synced: tuple[GitRepo, str]) -> None:
    repo, _ = synced
    first = repo.head()
    repo.bump("prompts/default/greeting.yaml", "How can I help", "What can I do")
    repo.commit("Reword the greeting")
    old = api.client.get(f"/v1/prompts/default/greeting/source?at={first[:10]}").json()
    new = api.client.get("/v1/prompts/default/greeting/source").json()
    assert (old["version"], new["version"]) == (1, 2)
    assert "How can I help" in old["template"] and "What can I do" in new["template"]
    assert old["commit"] == first


def test_a_bad_or_unknown_commit_is_a_clear_4xx(api: Running) -> None:
    bad = api.client.get("/v1/prompts/default/greeting/source?at=HEAD~1")
    assert bad.status_code == 400 and "hex" in bad.json()["detail"]
    unknown = api.client.get("/v1/prompts/default/greeting/source?at=" + "ab" * 20)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


def test_variables_for_a_type_come_from_variables_yaml(api: Running) -> None:
    every = {v["name"] for v in api.client.get("/v1/variables").json()["variables"]}
    handoff = api.client.get("/v1/variables?type=handoff").json()["variables"]
    greeting = {v["name"] for v in api.client.get("/v1/variables?type=greeting").json()
                ["variables"]}
    assert {"user_name", "brand_name"} <= greeting < every
    assert "handoff_reason" in {v["name"] for v in handoff} - greeting
    assert all("HANDOFF" in v["types"] and v["description"] for v in handoff)
    assert api.client.get("/v1/variables?type=nope").status_code == 404


def test_key_says_what_the_key_may_do(api: Running, keys_file: Path) -> None:
    assert api.client.get("/v1/key").json() == {"name": "anonymous", "anonymous": True,
                                                "scope": "preview", "brands": None}
    key = add_key(keys_file, "ola", Scope.WRITE, ["harbor-bank"])
    assert api.client.get("/v1/key", headers=bearer(key)).json() == {
        "name": "ola", "anonymous": False, "scope": "write", "brands": ["harbor-bank"]}
    assert api.client.get("/v1/key").status_code == 401  # keys exist now: reads need one
    assert api.client.get("/v1/key", headers=bearer("ps_nope")).status_code == 401


def test_coverage_says_which_translations_are_stale_like_the_command(api: Running) -> None:
    body = api.client.get("/v1/coverage?locale=fr&brand=northwind").json()
    assert body["locales"] == ["fr"]
    cells = {c["type"]: c for c in body["cells"]}
    assert set(cells) == {"SYSTEM_PROMPT", "GREETING", "FAREWELL", "REJECTION",
                          "CLARIFICATION", "HANDOFF"}
    farewell = cells["FAREWELL"]
    assert (farewell["stale"], farewell["translated_from"], farewell["base_version"]) == \
        (True, 1, 2)
    assert farewell["answered_by"]["path"] == "prompts/northwind/farewell.fr.yaml"
    assert cells["REJECTION"]["source"] == "inherited"
    every = api.client.get("/v1/coverage").json()
    assert every["locales"] == ["de", "fr"] and every["skipped_files"] == 0
    assert api.client.get("/v1/coverage?locale=x!").status_code == 400


def test_source_of_a_translation_names_its_base_version(api: Running) -> None:
    stale = api.client.get("/v1/prompts/northwind/farewell/source?locale=fr").json()
    assert (stale["own"], stale["translated_from"], stale["base_version"]) == (True, 1, 2)
    assert stale["prompt"] == "northwind/farewell.fr" and stale["locale"] == "fr"
    # A translation harbor-bank lacks starts from default's; one nobody made, from the base.
    inherited = api.client.get("/v1/prompts/harbor-bank/farewell/source?locale=de").json()
    assert (inherited["path"], inherited["own"], inherited["version"]) == \
        ("prompts/default/farewell.de.yaml", False, 0)
    fresh = api.client.get("/v1/prompts/harbor-bank/greeting/source?locale=ja").json()
    assert fresh["path"] == "prompts/harbor-bank/greeting.yaml" and fresh["base_version"] == 1


def test_source_of_a_stale_translation_shows_what_changed_in_its_base(
        api: Running, synced: tuple[GitRepo, str]) -> None:
    """What `promptsync validate`'s stale-translation warning shows (the base text then and
    now, from git history) the page shows too: both texts come with the translation's source."""
    repo, _ = synced
    fresh = api.client.get("/v1/prompts/default/greeting/source?locale=de").json()
    assert fresh["base_template_then"] is None  # up to date: nothing changed
    assert "{{ brand_name }}" in fresh["base_template"]
    before = fresh["base_template"]
    repo.bump("prompts/default/greeting.yaml", "How can I help", "What can I do")
    repo.commit("Reword the greeting")
    stale = api.client.get("/v1/prompts/default/greeting/source?locale=de").json()
    assert (stale["translated_from"], stale["base_version"]) == (1, 2)
    assert stale["base_template_then"] == before
    assert "What can I do" in stale["base_template"]
    assert "What can I do" not in stale["base_template_then"]
    # Stale in a history that starts after the version it names: the base now, no "then".
    far = api.client.get("/v1/prompts/northwind/farewell/source?locale=fr").json()
    assert far["base_template_then"] is None and "stay warm and dry" in far["base_template"]
    assert api.client.get("/v1/prompts/default/greeting/source").json()["base_template"] is None
