"""/v1/status, /healthz, /readyz and /metrics over real HTTP."""

from __future__ import annotations

from pathlib import Path

from promptsync.daemon.metrics import Metrics
from tests.api.server import Running, make_context, running
from tests.api.test_skeleton import problem
from tests.daemon.helpers import state
from tests.support.gitrepo import GitRepo


def test_status_shows_the_published_commit_and_the_last_runs(api: Running) -> None:
    body = api.client.get("/v1/status").json()
    commit, generation = state(api.ctx.settings.db_url)
    assert body["published"] == {"commit": commit, "generation": generation}
    assert body["last_applied"]["to_commit"] == commit
    assert body["last_attempted"]["status"] == "applied"
    assert body["seconds_since_last_good_sync"] is None and body["daemon_in_process"] is False


def test_status_reports_the_in_process_daemons_lag(synced: tuple[GitRepo, str],
                                                   keys_file: Path) -> None:
    repo, db = synced
    metrics = Metrics()
    metrics.cycle_done(working=True, good=True)
    ctx = make_context(repo.path, db, keys_file)
    ctx = type(ctx)(**{**ctx.__dict__, "daemon_metrics": metrics})
    with running(ctx) as served:
        body = served.client.get("/v1/status").json()
        assert body["daemon_in_process"] is True
        assert 0 <= body["seconds_since_last_good_sync"] < 60
        assert served.client.get("/readyz").json()["checks"] == {"database": "ok",
                                                                  "daemon": "ok"}
        metrics.cycle_done(working=False, good=False)
        for _ in range(3):
            metrics.cycle_done(working=False, good=False)
        failing = problem(served.client.get("/readyz"), 503)
        assert "daemon" in str(failing["detail"])
        assert "promptsync_sync_runs" in served.client.get("/metrics").text


def test_healthz_and_readyz_answer_and_readyz_names_a_missing_database(
        prompt_repo: GitRepo, tmp_path: Path, keys_file: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'never-synced.db'}"
    with running(make_context(prompt_repo.path, empty, keys_file)) as served:
        assert served.client.get("/healthz").text == "ok\n"
        failing = problem(served.client.get("/readyz"), 503)
        assert "database: no promptsync tables yet" in str(failing["detail"])
        problem(served.client.get("/v1/status"), 503)


def test_metrics_count_requests_by_route_template_and_status(api: Running) -> None:
    api.client.get("/v1/prompts/northwind/greeting")
    api.client.get("/v1/prompts/harbor-bank/greeting")
    api.client.get("/v1/prompts/nobody/greeting")
    text = api.client.get("/metrics").text
    route = 'route="/v1/prompts/{brand}/{type}"'
    assert f'promptsync_http_requests_total{{method="GET",{route},status="200"}} 2.0' in text
    assert f'promptsync_http_requests_total{{method="GET",{route},status="404"}} 1.0' in text
    assert "promptsync_http_request_duration_seconds_bucket" in text
    assert "northwind" not in text  # no label per brand
    assert "promptsync_reader_" in text


def test_made_up_methods_and_paths_add_no_metrics_labels(api: Running) -> None:
    # Issue 18: 20,000 made-up methods grew /metrics from 299 KiB to 52 MiB, no key needed.
    for n in range(40):
        api.client.request(f"FOO{n}", "/v1/prompts/northwind/greeting")
        api.client.get(f"/no/such/path/{n}")
    text = api.client.get("/metrics").text
    assert "FOO" not in text and "/no/such" not in text
    route = 'route="/v1/prompts/{brand}/{type}"'
    assert f'promptsync_http_requests_total{{method="other",{route},status="405"}} 40.0' in text
    assert 'promptsync_http_requests_total{method="GET",route="unmatched",status="404"} 40.0' \
        in text
