"""GET /v1/audit over real HTTP: the API's own edits with their key, live times, pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from promptsync.api.keys import KeyStore, Scope
from tests.api.edit_server import WritingApi, writing_api
from tests.api.test_edits import NEW, bearer, problem, put
from tests.daemon.helpers import state, sync_once, wait_until
from tests.support.gitrepo import GitRepo


@pytest.fixture
def api(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[WritingApi]:
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json") as served:
        yield served


@pytest.mark.timeout(120)
def test_the_audit_log_shows_who_with_which_key_and_when_it_went_live(api: WritingApi) -> None:
    done = put(api, {"version": 1, "template": NEW, "message": "Shorter greeting"}).json()
    wait_until(lambda: state(api.db_url)[0] == done["commit"], timeout=30)
    reader = KeyStore(api.server.ctx.settings.keys_file).add("rita", Scope.READ, None)
    client = api.server.client
    page = client.get("/v1/audit", params={"brand": "default", "type": "greeting"},
                      headers=bearer(reader))
    assert page.status_code == 200, page.text
    newest = page.json()["entries"][0]
    assert newest["commit"] == done["commit"] and newest["action"] == "update"
    assert newest["prompt"] == "default/greeting" and newest["locale"] == ""
    assert (newest["version_before"], newest["version_after"]) == (1, 2)
    assert newest["author"]["name"] == "dana"
    assert newest["author"]["key"].startswith("sha256:") and len(newest["author"]["key"]) == 19
    assert newest["subject"] == "Shorter greeting" and newest["live_at"] is not None
    only_dana = client.get("/v1/audit", params={"author": "dana", "action": "update"},
                           headers=bearer(reader)).json()["entries"]
    assert [e["commit"] for e in only_dana] == [done["commit"]]
    assert problem(client.get("/v1/audit"), 401)


def test_pages_follow_the_cursor_and_bad_queries_are_400(api: WritingApi) -> None:
    client, headers = api.server.client, bearer(api.key)
    everything = client.get("/v1/audit", params={"limit": 500}, headers=headers).json()
    assert everything["next_cursor"] is None and len(everything["entries"]) > 3
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/audit", params=params, headers=headers).json()
        seen += page["entries"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything["entries"]
    assert problem(client.get("/v1/audit", params={"cursor": "bogus"}, headers=headers), 400)
    assert problem(client.get("/v1/audit", params={"since": "yesterday"}, headers=headers), 400)
    assert problem(client.get("/v1/audit", params={"type": "poem"}, headers=headers), 400)
    assert problem(client.get("/v1/audit", params={"action": "publish"}, headers=headers), 422)
    assert problem(client.get("/v1/audit", params={"locale": "!!"}, headers=headers), 400)
