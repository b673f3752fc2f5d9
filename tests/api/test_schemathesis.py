"""Property-based requests from the OpenAPI document (Schemathesis) against a real server:
no input gives a 5xx, and every response matches the document (status, content type, schema).

The examples per operation are bounded (the whole file runs in well under a minute). Without a
keys file every read and preview is open, so the generated requests reach the handlers rather
than stopping at a 401.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.server import make_context, running
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo

EXAMPLES = 60


@pytest.fixture(scope="module")
def served_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    repo = GitRepo.init(tmp / "repo")
    db = f"sqlite:///{tmp / 'promptsync.db'}"
    assert sync_once(repo, db) == 0
    ctx = make_context(repo.path, db, tmp / "keys.json", webhook_secret="fuzz-secret")
    with running(ctx) as served:
        yield served.url


@pytest.fixture(scope="module")
def api_schema(served_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{served_url}/openapi.json")


def test_no_input_breaks_the_api_or_its_document(api_schema: schemathesis.BaseSchema) -> None:
    # Schemathesis's pytest plugin does not run on this pytest; Hypothesis drives each
    # operation's strategy directly, which is what the plugin does.
    failures = []
    for found in api_schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        try:
            check()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_every_endpoint_of_the_issue_is_in_the_document(api_schema: schemathesis.BaseSchema,
                                                        served_url: str) -> None:
    import httpx

    paths = httpx.get(f"{served_url}/openapi.json").json()["paths"]
    for path in ("/v1/prompts", "/v1/prompts/{brand}/{type}",
                 "/v1/prompts/{brand}/{type}/preview", "/v1/status", "/v1/fleet",
                 "/v1/hooks/github", "/healthz", "/readyz", "/metrics"):
        assert path in paths, path
