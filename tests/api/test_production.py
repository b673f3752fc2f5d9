"""Three API processes (`serve --no-sync --repo URL`) and one daemon (`sync --repo URL`) on
PostgreSQL and Redis against one git server: the push is the lock across processes, and the
daemon (polling once an hour) is woken through Redis by the API processes' pushes and by the
webhook they take. Two API processes share a mirror (one host: they take turns through its
lock), the third has its own (another host: it meets them at the push)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from promptsync import PromptReader, PromptType
from tests.api.production import topology
from tests.api.test_webhook import SECRET, signed
from tests.daemon.helpers import state, wait_until
from tests.support.gitrepo import GitRepo
from tests.support.gitserver import GitServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
SAME, DISTINCT = 21, 12
WAIT = 60.0


def version_of(bare: GitRepo, path: str) -> int:
    line = next(x for x in bare.git("show", f"main:{path}").splitlines()
                if x.startswith("version:"))
    return int(line.split(":")[1])


def put_all(calls: list[tuple[str, str, dict[str, object]]], key: str) -> list[httpx.Response]:
    """Every PUT at once, each on its own thread and connection."""
    def one(call: tuple[str, str, dict[str, object]]) -> httpx.Response:
        base, path, body = call
        return httpx.put(f"{base}{path}", json=body, timeout=120,
                         headers={"Authorization": f"Bearer {key}"})

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def created(n: int) -> dict[str, object]:
    return {"version": 0, "template": f"Hi from brand {n}, {{{{ brand_name }}}}\n",
            "variables": {"brand_name": {"type": "string", "required": True}},
            "samples": [{"name": "plain", "context": {"brand_name": "Acme"}}]}


def test_three_api_processes_and_one_daemon_on_one_git_server(
        git_server: GitServer, prompt_repo: GitRepo, pg_url: str, redis_url: str,
        tmp_path: Path) -> None:
    bare = git_server.add(prompt_repo)
    with topology(git_server.url(), pg_url, redis_url, tmp_path, interval=3600,
                  secret=SECRET) as top:
        wait_until(lambda: state(pg_url)[0] == bare.head("main"), WAIT)
        before = bare.head("main")
        v = version_of(bare, "prompts/northwind/greeting.yaml")
        same = put_all([(top.apis[n % 3], "/v1/prompts/northwind/greeting",
                         {"version": v, "template": f"Hi #{n}, {{{{ brand_name }}}}\n"})
                        for n in range(SAME)], top.key)
        codes = sorted(r.status_code for r in same)
        assert codes == [201] + [409] * (SAME - 1), [r.text for r in same if r.status_code
                                                      not in (201, 409)]
        assert bare.git("rev-list", "--count", f"{before}..main") == "1"

        before = bare.head("main")
        distinct = put_all([(top.apis[n % 3], f"/v1/prompts/brand-{n}/greeting", created(n))
                            for n in range(DISTINCT)], top.key)
        assert [r.status_code for r in distinct] == [201] * DISTINCT, [r.text for r in distinct]
        assert all(r.json()["pushed_to"] == git_server.url() for r in distinct)
        assert bare.git("rev-list", "--count", f"{before}..main") == str(DISTINCT)
        assert bare.git("rev-list", "--merges", f"{before}..main") == ""
        bare.git("fsck", "--strict")  # raises on any error
        head = bare.head("main")
        wait_until(lambda: state(pg_url)[0] == head, WAIT)  # the daemon published the head
        reader = PromptReader(db_url=pg_url, redis_url=redis_url)
        try:
            served = [reader.get(f"brand-{n}", PromptType.GREETING) for n in range(DISTINCT)]
        finally:
            reader.close()
        assert [(p.brand, p.version) for p in served] == [(f"brand-{n}", 1)
                                                          for n in range(DISTINCT)]

        # A pull request merged on the server, announced to one API process by a signed
        # webhook: the daemon (polling once an hour here) hears of it through Redis.
        other = GitRepo(tmp_path / "other")
        GitRepo(tmp_path).git("clone", "-q", git_server.url(), str(other.path))
        other.bump("prompts/northwind/handoff.yaml", "one of our gear specialists",
                   "a gear specialist")
        merged = other.commit("Merged on the server")
        other.git("push", "-q", "origin", "main")
        body = json.dumps({"ref": "refs/heads/main", "after": merged}).encode()
        hook = httpx.post(f"{top.apis[1]}/v1/hooks/github", content=body, headers={
            "X-GitHub-Event": "push", "X-GitHub-Delivery": "prod-1",
            "Content-Type": "application/json", "X-Hub-Signature-256": signed(body)})
        assert hook.status_code == 202, hook.text
        wait_until(lambda: state(pg_url)[0] == merged, WAIT)
