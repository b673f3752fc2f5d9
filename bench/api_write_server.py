"""Writes through a git server: the production topology of the README (a git daemon on a
loopback port, `serve --no-sync --repo URL` API processes, one `sync --repo URL` daemon, Redis,
a database), each in its own process. Called by bench/api_write.py --git-server."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from promptsync import PromptReader, PromptType
from tests.api.production import topology
from tests.daemon.helpers import state, wait_until
from tests.support.gitrepo import GitRepo
from tests.support.gitserver import GitServer


def _created(n: int, tag: str) -> dict[str, object]:
    return {"version": 0, "template": f"Hi from {tag} {n}, {{{{ brand_name }}}}\n",
            "variables": {"brand_name": {"type": "string", "required": True}},
            "samples": [{"name": "plain", "context": {"brand_name": "Acme"}}]}


def _burst(apis: list[str], key: str, count: int, tag: str) -> float:
    """Seconds until `count` concurrent creates of different prompts, spread over `apis`,
    are all answered (each must be a 201)."""
    def one(n: int) -> int:
        return httpx.put(f"{apis[n % len(apis)]}/v1/prompts/{tag}-{n}/greeting",
                         json=_created(n, tag), timeout=300,
                         headers={"Authorization": f"Bearer {key}"}).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        codes = list(pool.map(one, range(count)))
    took = time.monotonic() - started
    assert codes == [201] * count, sorted(set(codes))
    return took


def _put_to_live(apis: list[str], key: str, db: str, redis_url: str, edits: int
                 ) -> list[float]:
    """Seconds from sending a PUT of default/greeting to a PromptReader (this process, its
    own Redis subscription) serving the new version."""
    reader = PromptReader(db_url=db, redis_url=redis_url)
    client = httpx.Client(timeout=60, headers={"Authorization": f"Bearer {key}"})
    samples = []
    try:
        version = reader.get("default", PromptType.GREETING).version
        for n in range(edits):
            started = time.monotonic()
            answer = client.put(f"{apis[n % len(apis)]}/v1/prompts/default/greeting",
                                json={"version": version,
                                      "template": f"Hello #{n} from {{{{ brand_name }}}}!\n"})
            assert answer.status_code == 201, answer.text
            version += 1
            while reader.get("default", PromptType.GREETING).version < version:
                time.sleep(0.001)
            samples.append(time.monotonic() - started)
    finally:
        client.close()
        reader.close()
    return samples


def run(db_url: str | None, redis_url: str, edits: int, burst: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="promptsync-bench-server-") as tmp:
        root = Path(tmp)
        server = GitServer(root / "server").start()
        try:
            bare = server.add(GitRepo.init(root / "repo"))
            db = db_url or f"sqlite:///{root / 'promptsync.db'}"
            result: dict[str, float] = {}
            with topology(server.url(), db, redis_url, root / "three", apis=3) as top:
                wait_until(lambda: state(db)[0] == bare.head("main"), 120)
                lives = _put_to_live(top.apis, top.key, db, redis_url, edits)
                result["put_to_live_p50"] = statistics.median(lives)
                result["put_to_live_max"] = max(lives)
                result["distinct_3_processes_s"] = _burst(top.apis, top.key, burst, "three")
                result["distinct_1_process_s"] = _burst(top.apis[:1], top.key, burst, "one")
        finally:
            server.close()
    result["puts_per_s_3_processes"] = burst / result["distinct_3_processes_s"]
    result["puts_per_s_1_process"] = burst / result["distinct_1_process_s"]
    return result
