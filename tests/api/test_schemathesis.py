"""Schemathesis, every check enabled, against a real server (issue 18, item 12): no input gives a
5xx, every response matches the OpenAPI document (status, content type, headers, schema),
schema-valid requests are accepted and invalid ones refused, a request without the key is
refused, OPTIONS and 405 name every method of a path, and the stateful phase follows the
links between operations.

Its command line (`schemathesis run`), in its own process, with tests/api/schemathesis.toml
and every check; the examples per operation are bounded. The default run takes the examples,
fuzzing and stateful phases (about 30 s on two cores); the coverage phase, some 900 boundary
cases, runs in the slow pass. The server has a write key (the generated requests carry it) and
a webhook secret, so every route is on.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from promptsync.api.keys import KeyStore, Scope
from tests.api.server import make_context, running
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = 8
RUN_LIMIT = 600


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    repo = GitRepo.init(tmp / "repo")
    db = f"sqlite:///{tmp / 'promptsync.db'}"
    assert sync_once(repo, db) == 0
    key = KeyStore(tmp / "keys.json").add("fuzzer", Scope.WRITE, None)
    ctx = make_context(repo.path, db, tmp / "keys.json", webhook_secret="fuzz-secret")
    with running(ctx) as server:
        yield server.url, key, tmp


def schemathesis(url: str, key: str, tmp: Path,
                 *phases: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file",
               str(CONFIG), "run", f"{url}/openapi.json", "--max-examples", str(EXAMPLES),
               "--seed", "18", "--workers", "1", "--header", f"Authorization: Bearer {key}",
               "--phases", ",".join(phases), "--no-color"]
    # In a temporary folder: the command keeps a cache (.schemathesis/) where it runs.
    return subprocess.run(command, capture_output=True, text=True, timeout=RUN_LIMIT, cwd=tmp)


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-5000:]
    assert " passed" in done.stdout, done.stdout[-3000:]


@pytest.mark.timeout(RUN_LIMIT + 60)
def test_every_check_passes_on_examples_fuzzing_and_stateful_runs(
        served: tuple[str, str, Path]) -> None:
    assert_clean(schemathesis(*served, "examples", "fuzzing", "stateful"))


@pytest.mark.slow  # about 70 s on two idle cores: ~900 boundary cases, every write a commit
@pytest.mark.timeout(RUN_LIMIT + 60)
def test_every_check_passes_on_the_coverage_phase(served: tuple[str, str, Path]) -> None:
    # The boundary values of every parameter, each required header left out, each method an
    # operation does not declare (405 with the path's whole `Allow`).
    assert_clean(schemathesis(*served, "coverage"))


def test_every_endpoint_of_the_issue_is_in_the_document(served: tuple[str, str, Path]) -> None:
    paths = httpx.get(f"{served[0]}/openapi.json").json()["paths"]
    for path in ("/v1/prompts", "/v1/prompts/{brand}/{type}",
                 "/v1/prompts/{brand}/{type}/preview", "/v1/status", "/v1/fleet",
                 "/v1/hooks/github", "/healthz", "/readyz", "/metrics"):
        assert path in paths, path
