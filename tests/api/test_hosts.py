"""The `Host` check against DNS rebinding (issue 18, item 10): over real HTTP, and through
`promptsync serve`'s flag and environment variable."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from promptsync.api.hosts import allowed_hosts, normalize_host
from promptsync.cli.main import build_parser
from promptsync.cli.serve_cmd import parse_settings
from tests.api.server import Running, make_context, running
from tests.api.test_serve import serve
from tests.api.test_skeleton import problem
from tests.support.gitrepo import GitRepo

PROMPT = "/v1/prompts/northwind/greeting"


def port_of(served: Running) -> str:
    return served.url.rsplit(":", 1)[1]


def test_a_rebinding_name_is_refused_and_this_machines_names_are_answered(
        api: Running) -> None:
    port = port_of(api)
    body = problem(api.client.get(PROMPT, headers={"Host": f"evil.example:{port}"}), 400)
    assert body["type"] == "urn:promptsync:problem:host-not-allowed"
    assert "--allowed-host" in str(body["detail"])
    problem(api.client.get("/", headers={"Host": "evil.example"}), 400)  # the page too
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST."):
        assert api.client.get(PROMPT, headers={"Host": host}).status_code == 200, host


def test_names_the_server_was_started_for_are_answered(synced: tuple[GitRepo, str],
                                                       keys_file: Path) -> None:
    repo, db = synced
    hosts = allowed_hosts(["prompts.example.com"])
    with running(make_context(repo.path, db, keys_file, allowed_hosts=hosts)) as served:
        ok = served.client.get(PROMPT, headers={"Host": "Prompts.Example.com:443"})
        assert ok.status_code == 200
        problem(served.client.get(PROMPT, headers={"Host": "example.com"}), 400)


def test_a_star_answers_any_name(synced: tuple[GitRepo, str], keys_file: Path) -> None:
    repo, db = synced
    with running(make_context(repo.path, db, keys_file,
                              allowed_hosts=allowed_hosts(["*"]))) as served:
        assert served.client.get(PROMPT, headers={"Host": "anything.example"}).status_code == 200


def test_hosts_are_compared_without_port_brackets_case_or_final_dot() -> None:
    assert normalize_host("[::1]:8080") == "::1"
    assert normalize_host("Example.COM.:80") == "example.com"
    assert normalize_host("::1") == "::1"


def settings_of(*argv: str) -> tuple[str, ...]:
    return parse_settings(build_parser().parse_args(["serve", *argv])).api.allowed_hosts


def test_serve_answers_its_bind_address_and_the_names_given(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMPTSYNC_ALLOWED_HOSTS", raising=False)
    assert settings_of() == ("localhost", "127.0.0.1", "::1")
    assert settings_of("--host", "10.1.2.3", "--allowed-host", "a.example",
                       "--allowed-host", "B.example") == (
        "localhost", "127.0.0.1", "::1", "10.1.2.3", "a.example", "b.example")
    monkeypatch.setenv("PROMPTSYNC_ALLOWED_HOSTS", "c.example, d.example")
    assert settings_of()[-2:] == ("c.example", "d.example")
    assert settings_of("--allowed-host", "e.example")[-1] == "e.example"  # the flag wins


def test_serve_refuses_other_hosts_and_answers_the_environments(
        prompt_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_ALLOWED_HOSTS", "prompts.example")
    with serve(prompt_repo, "--no-sync") as (_, url):
        port = url.rsplit(":", 1)[1]
        assert httpx.get(f"{url}/healthz",
                         headers={"Host": f"prompts.example:{port}"}).status_code == 200
        refused = httpx.get(f"{url}/healthz", headers={"Host": f"evil.example:{port}"})
        assert refused.status_code == 400
