"""`promptsync serve` as a user runs it: a real process, SQLite, the daemon inside, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.gitrepo import PROJECT_ROOT, GitRepo
from tests.support.servers import free_port

LIMIT = 60.0


@contextmanager
def serve(repo: GitRepo, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`promptsync serve` in the repository's folder (the README's one command), until ready."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "promptsync", "serve", "--port", str(port),
                             *args], cwd=repo.path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url) or proc.poll() is not None, "the server to answer")
        assert proc.poll() is None, proc.communicate()[1]
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=LIMIT)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {LIMIT:.0f} s for {what}"
        time.sleep(0.05)  # polling a condition with a limit


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_one_command_serves_the_branch_and_a_signal_stops_it_cleanly(
        prompt_repo: GitRepo, sig: signal.Signals) -> None:
    with serve(prompt_repo) as (proc, url):
        body = httpx.get(f"{url}/v1/prompts/northwind/greeting").json()
        assert body["commit"] == prompt_repo.head() and body["resolved_from"] == "own"
        assert httpx.get(f"{url}/readyz").json()["checks"]["daemon"] == "ok"
        assert httpx.get(f"{url}/docs").status_code == 200
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=LIMIT)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    assert (prompt_repo.path / "promptsync.db").is_file()  # the embedded default, here


def test_the_daemon_inside_publishes_a_new_commit(prompt_repo: GitRepo) -> None:
    with serve(prompt_repo, "--interval", "0.5") as (_, url):
        prompt_repo.bump("prompts/northwind/greeting.yaml", "Hey there", "Hello there")
        head = prompt_repo.commit("Friendlier")
        wait_for(lambda: httpx.get(f"{url}/v1/prompts/northwind/greeting").json()["commit"]
                 == head, "the new commit to be served")


def test_no_sync_serves_what_another_daemon_published(prompt_repo: GitRepo,
                                                      tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    with serve(prompt_repo, "--no-sync", "--db", db) as (_, url):
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 503 and "no promptsync tables" in ready.json()["detail"]
        assert httpx.get(f"{url}/v1/status").status_code == 503


def test_a_port_in_use_is_one_clear_line(prompt_repo: GitRepo) -> None:
    with serve(prompt_repo, "--no-sync") as (_, url):
        port = url.rsplit(":", 1)[1]
        second = subprocess.run([sys.executable, "-m", "promptsync", "serve", "--port", port,
                                 "--no-sync"], cwd=prompt_repo.path, capture_output=True,
                                text=True, timeout=LIMIT,
                                env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert second.returncode == 2
    assert f"cannot listen on 127.0.0.1 port {port}" in second.stderr
    assert "Traceback" not in second.stderr


def test_bad_settings_are_usage_errors(prompt_repo: GitRepo, tmp_path: Path) -> None:
    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "promptsync", "serve", *args],
                              cwd=prompt_repo.path, capture_output=True, text=True,
                              timeout=LIMIT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT),
                                                  **(env or {})})
    assert "is not a port" in run("--port", "70000").stderr
    assert "not a git repository" in run("--repo", str(tmp_path)).stderr.lower() or \
        "is not a git" in run("--repo", str(tmp_path)).stderr
    assert "PROMPTSYNC_WRITE_TO='sideways'" in run(env={"PROMPTSYNC_WRITE_TO": "sideways"}).stderr


def test_serve_passes_notify_to_its_daemon(prompt_repo: GitRepo,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from promptsync.notify.sender import verify
    from tests.support.receiver import Receiver

    secret = "shared-with-the-receiver"
    monkeypatch.setenv("PROMPTSYNC_NOTIFY_SECRET", secret)
    with Receiver() as http, serve(prompt_repo, "--interval", "0.5", "--notify", http.url):
        (first,) = http.wait_for(lambda r: r.json["event"] == "published")
        prompt_repo.bump("prompts/northwind/greeting.yaml", "Hey there", "Hello there")
        head = prompt_repo.commit("Friendlier")
        (got,) = http.wait_for(lambda r: r.json.get("commit") == head)
    assert first.json["generation"] == 1 and got.json["generation"] == 2
    assert verify(secret, got.body, got.headers["X-Promptsync-Signature-256"])


def test_notify_without_the_daemon_is_a_usage_error(prompt_repo: GitRepo) -> None:
    proc = subprocess.run([sys.executable, "-m", "promptsync", "serve", "--no-sync", "--notify",
                           "http://127.0.0.1:1/x"], cwd=prompt_repo.path, capture_output=True,
                          text=True, timeout=LIMIT,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert proc.returncode == 2
    assert "--notify needs the daemon in this process" in proc.stderr
