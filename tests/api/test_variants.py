"""A variant renders the same through every front end: the runtime (the reader), GET
/v1/prompts?subject=, the API's preview ({"variant"}) and `promptsync preview --variant`; a
file without variants answers as it did before them."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptsync.cli.main import main
from promptsync.model import PromptType
from tests.api.edit_server import writing_api
from tests.api.server import Running, make_context, running
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo
from tests.support.variants import GREETING, greeting

pytestmark = pytest.mark.timeout(120)
URL = "/v1/prompts/acme/greeting"
SAMPLE = {"brand_name": "Acme"}


@pytest.fixture
def api(prompt_repo: GitRepo, sqlite_url: str, tmp_path: Path) -> Iterator[Running]:
    prompt_repo.write(GREETING, greeting(warm=30, short=30))
    prompt_repo.commit("acme's greeting runs two variants")
    assert sync_once(prompt_repo, sqlite_url) == 0
    with running(make_context(prompt_repo.path, sqlite_url, tmp_path / "keys.json")) as served:
        yield served


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def subject_of(api: Running, variant: str) -> str:
    return next(s for s in (f"conversation-{i}" for i in range(1000))
                if api.ctx.reader.get("acme", PromptType.GREETING, subject=s).variant == variant)


def test_every_front_end_renders_a_variant_alike(api: Running) -> None:
    repo = str(api.ctx.settings.repo)
    for variant in ("warm", "short", "control"):
        subject = subject_of(api, variant)
        runtime = api.ctx.reader.render("acme", PromptType.GREETING, SAMPLE, subject=subject)
        served = api.client.get(URL, params={"subject": subject}).json()
        assert (served["variant"], served["template"]) == (
            variant, api.ctx.reader.get("acme", "greeting", subject=subject).template)
        previewed = api.client.post(f"{URL}/preview", json={"sample": "basic",
                                                            "variant": variant}).json()
        code, out, err = cli("preview", "acme/greeting", "--variant", variant, "--sample",
                             "basic", "--repo", repo)
        assert (previewed["text"], previewed["variant"]) == (runtime, variant)
        assert (code, out.rstrip("\n")) == (0, runtime.rstrip("\n")), err
    assert api.client.get(URL).json()["variant"] == "control"
    assert api.client.get(URL).json()["variants"] == [{"name": "warm", "weight": 30},
                                                      {"name": "short", "weight": 30}]


def test_a_prompt_without_variants_answers_as_before(api: Running) -> None:
    plain = api.client.get("/v1/prompts/acme/farewell", params={"subject": "dana"}).json()
    assert "variant" not in plain and "variants" not in plain
    assert plain == api.client.get("/v1/prompts/acme/farewell").json()


def test_an_unknown_variant_is_refused_by_name(api: Running) -> None:
    answer = api.client.post(f"{URL}/preview", json={"variant": "cold"})
    assert answer.status_code == 422
    assert "has no variant 'cold' (its variants: 'control', 'warm', 'short')" in \
        answer.json()["detail"]
    code, _, err = cli("preview", "acme/greeting", "--variant", "cold", "--repo",
                       str(api.ctx.settings.repo))
    assert code == 2 and "no variant 'cold'" in err and "Traceback" not in err


def test_a_draft_variant_previews_before_it_is_saved(api: Running) -> None:
    source = api.client.get(f"{URL}/source").json()
    assert [v["name"] for v in source["variants"]] == ["warm", "short"]
    variants = [*source["variants"], {"name": "brief", "weight": 10,
                                      "template": "{{ brand_name }}. Yes?"}]
    body = {"template": source["template"], "variants": variants, "variant": "brief",
            "sample": "basic"}
    answer = api.client.post(f"{URL}/preview", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["text"] == "Acme. Yes?"
    too_much = [*variants[:2], {**variants[2], "weight": 50}]
    answer = api.client.post(f"{URL}/preview", json={**body, "variants": too_much})
    assert answer.status_code == 422
    assert [f["code"] for f in answer.json()["findings"]] == ["variant-weights"]


def test_a_put_writes_removes_or_keeps_the_variants(prompt_repo: GitRepo, sqlite_url: str,
                                                    tmp_path: Path) -> None:
    prompt_repo.write(GREETING, greeting(warm=30))
    prompt_repo.commit("acme's greeting runs a variant")
    assert sync_once(prompt_repo, sqlite_url) == 0
    with writing_api(prompt_repo, sqlite_url, tmp_path / "keys.json") as api:
        def put(body: dict[str, Any]) -> dict[str, Any]:
            answer = api.server.client.put(URL, json=body, headers={
                "Authorization": f"Bearer {api.key}"})
            assert answer.status_code == 201, answer.text
            return yaml.safe_load(api.repo.git("show", f"main:{GREETING}"))

        text = "Welcome to {{ brand_name }}!\n"
        kept = put({"version": 1, "template": text})
        assert [v["name"] for v in kept["variants"]] == ["warm"]  # omitted: kept
        written = put({"version": 2, "template": text, "variants": [
            {"name": "brief", "weight": 40, "template": "{{ brand_name }}."}]})
        assert written["variants"] == [{"name": "brief", "weight": 40,
                                        "template": "{{ brand_name }}."}]
        over = api.server.client.put(URL, headers={"Authorization": f"Bearer {api.key}"},
                                     json={"version": 3, "template": text, "variants": [
                                         {"name": "a", "weight": 60, "template": "A"},
                                         {"name": "b", "weight": 60, "template": "B"}]})
        assert over.status_code == 422
        assert [f["code"] for f in over.json()["findings"]] == ["variant-weights"]
        removed = put({"version": 3, "template": text, "variants": []})
        assert "variants" not in removed and removed["version"] == 4
