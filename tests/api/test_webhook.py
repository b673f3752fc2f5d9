"""POST /v1/hooks/github: signature, cap, ping, and a push that syncs at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from promptsync.api.background import DaemonThread
from promptsync.api.routes.hooks import Deliveries
from promptsync.cli.sync_cmd import SyncSettings, build_syncer
from promptsync.daemon.metrics import Metrics
from tests.api.server import Running, make_context, running
from tests.api.test_skeleton import problem
from tests.daemon.helpers import state, sync_once
from tests.support.gitrepo import GitRepo

SECRET = "s3cret-for-tests"
URL = "/v1/hooks/github"


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(served: Running, event: str, payload: object, signature: str | None = None,
         content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": "d-1",
               "Content-Type": content_type,
               "X-Hub-Signature-256": signature if signature is not None else signed(body)}
    return served.client.post(URL, content=body, headers=headers)


@pytest.fixture
def hooked(prompt_repo: GitRepo, tmp_path: Path, keys_file: Path) -> Iterator[Running]:
    """A server whose daemon follows the repository as a URL: it fetches only when woken or
    after an hour, so a sync within seconds is the webhook's doing."""
    db = f"sqlite:///{tmp_path / 'hooked.db'}"
    url = prompt_repo.path.as_uri()
    assert sync_once(url, db) == 0
    settings = SyncSettings(repo=url, ref="main", db_url=db, redis_url=None, once=False,
                            interval=3600, allow_empty=False, metrics_port=None,
                            metrics_host="127.0.0.1", cache_dir=tmp_path / "mirrors")
    daemon = DaemonThread(build_syncer(settings, Metrics()), 3600).start()
    ctx = make_context(prompt_repo.path, db, keys_file, webhook_secret=SECRET)
    ctx = replace(ctx, wake_daemon=daemon.wake, daemon_metrics=daemon.metrics)
    try:
        with running(ctx) as served:
            yield served
    finally:
        daemon.stop()
        daemon.daemon.syncer.engine.dispose()


def test_a_push_to_the_followed_branch_syncs_at_once(hooked: Running,
                                                     prompt_repo: GitRepo) -> None:
    prompt_repo.bump("prompts/northwind/greeting.yaml", "Hey there", "Hello there")
    head = prompt_repo.commit("Friendlier")
    answer = send(hooked, "push", {"ref": "refs/heads/main", "after": head})
    assert answer.status_code == 202 and answer.json()["accepted"] is True
    deadline = time.monotonic() + 30
    while state(hooked.ctx.settings.db_url)[0] != head:
        assert time.monotonic() < deadline, "the push did not sync within 30 s"
        time.sleep(0.05)  # polling the database for the daemon's commit


def test_a_ping_is_answered_and_other_branches_and_events_are_ignored(hooked: Running) -> None:
    assert send(hooked, "ping", {"zen": "Keep it simple."}).json() == {
        "pong": True, "zen": "Keep it simple."}
    other = send(hooked, "push", {"ref": "refs/heads/feature"})
    assert other.status_code == 200 and "follows refs/heads/main" in other.json()["ignored"]
    assert send(hooked, "issues", {}).status_code == 200


def test_a_bad_signature_is_401_and_a_security_event_without_secret_or_body(
        hooked: Running, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="promptsync.api.security"):
        for signature in (signed(b"other body"), signed(b'{"ref": "x"}', "wrong"), "", "sha1=x"):
            problem(send(hooked, "push", {"ref": "refs/heads/main", "token": "BODYTEXT"},
                         signature), 401)
        missing = hooked.client.post(URL, json={"ref": "refs/heads/main"})
        problem(missing, 401)
    events = [r.getMessage() for r in caplog.records if r.name == "promptsync.api.security"]
    assert len(events) == 5 and all("bad or missing X-Hub-Signature-256" in e for e in events)
    assert not any(SECRET in e or "BODYTEXT" in e for e in events)


def test_a_body_over_a_mebibyte_is_refused_unread(hooked: Running) -> None:
    big = {"ref": "refs/heads/main", "pad": "x" * (1024 * 1024)}
    problem(send(hooked, "push", big), 413)


def test_a_form_payload_or_bad_json_says_what_to_fix(hooked: Running) -> None:
    body = b"payload=%7B%7D"
    form = hooked.client.post(URL, content=body, headers={
        "X-GitHub-Event": "push", "X-Hub-Signature-256": signed(body),
        "Content-Type": "application/x-www-form-urlencoded"})
    assert "application/json in GitHub" in str(problem(form, 415)["detail"])
    bad = b"{not json"
    problem(hooked.client.post(URL, content=bad, headers={
        "X-GitHub-Event": "push", "X-Hub-Signature-256": signed(bad),
        "Content-Type": "application/json"}), 400)


def test_without_a_secret_the_webhook_is_off(api: Running) -> None:
    assert "PROMPTSYNC_WEBHOOK_SECRET" in str(problem(send(api, "ping", {}), 503)["detail"])


def test_a_replayed_delivery_starts_no_second_sync(synced: tuple[GitRepo, str],
                                                   keys_file: Path) -> None:
    # Issue 18: each replay of one valid delivery started a sync cycle.
    repo, db = synced
    woken: list[str] = []
    ctx = replace(make_context(repo.path, db, keys_file, webhook_secret=SECRET),
                  wake_daemon=lambda: woken.append("wake"))
    push = {"ref": "refs/heads/main", "after": repo.head()}
    with running(ctx) as served:
        assert send(served, "push", push).status_code == 202
        replayed = send(served, "push", push)  # the same X-GitHub-Delivery
        assert replayed.status_code == 200 and replayed.json()["duplicate"] is True
        body = json.dumps(push).encode()
        another = served.client.post(URL, content=body, headers={
            "X-GitHub-Event": "push", "X-GitHub-Delivery": "d-2",
            "Content-Type": "application/json", "X-Hub-Signature-256": signed(body)})
        assert another.status_code == 202
    assert woken == ["wake", "wake"]


def test_a_delivery_is_new_again_once_its_window_passed() -> None:
    now = [0.0]
    seen = Deliveries(window=60, clock=lambda: now[0])
    assert seen.first("d-1") and not seen.first("d-1") and seen.first("") and seen.first("")
    now[0] = 61.0
    assert seen.first("d-1") and not seen.first("d-1")
