"""Every form a credential takes in a URL or an error message is masked, and nothing else is."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from promptsync import PromptReader, PromptType
from promptsync.cli.main import main
from promptsync.credentials import redact
from tests.support.gitrepo import GitRepo
from tests.support.servers import free_port

SECRET = "s3cr3t-Val"

MASKED = [
    # (what, text with the secret, the text as it must be shown)
    ("userinfo", "postgresql+psycopg://app:s3cr3t-Val@db:5432/prompts",
     "postgresql+psycopg://app:***@db:5432/prompts"),
    ("userinfo, no user", "redis://:s3cr3t-Val@cache:6379/0", "redis://:***@cache:6379/0"),
    ("userinfo, password with / and ?", "postgresql://app:a/s3cr3t-Val?x@db/prompts",
     "postgresql://app:***@db/prompts"),
    ("userinfo, port not a number", "postgresql://u:s3cr3t-Val@host:abc/db",
     "postgresql://u:***@host:abc/db"),
    ("query password", "postgresql://host/db?password=s3cr3t-Val",
     "postgresql://host/db?password=***"),
    ("query password, Redis", "redis://h?password=s3cr3t-Val", "redis://h?password=***"),
    ("query password among others", "postgresql://h/db?sslmode=require&password=s3cr3t-Val&x=1",
     "postgresql://h/db?sslmode=require&password=***&x=1"),
    ("query sslpassword", "postgresql://h/db?sslpassword=s3cr3t-Val",
     "postgresql://h/db?sslpassword=***"),
    ("query token", "redis://h:6379/0?token=s3cr3t-Val&db=1", "redis://h:6379/0?token=***&db=1"),
    ("query access_token", "https://git.example.com/p.git?access_token=s3cr3t-Val#main",
     "https://git.example.com/p.git?access_token=***#main"),
    ("query private_token", "https://gitlab.example.com/p.git?private_token=s3cr3t-Val",
     "https://gitlab.example.com/p.git?private_token=***"),
    ("query key", "https://h/p.git?key=s3cr3t-Val&ref=main", "https://h/p.git?key=***&ref=main"),
    ("query sig, a pre-signed URL", "https://b.example/x?sv=2022&sig=s3cr3t-Val",
     "https://b.example/x?sv=2022&sig=***"),
    ("api_key in free text", "refused: api_key=s3cr3t-Val", "refused: api_key=***"),
    ("query, upper case key", "postgresql://h/db?PASSWORD=s3cr3t-Val", "postgresql://h/db?PASSWORD=***"),
    ("https token as user", "https://s3cr3t-Val@github.com/org/prompts.git",
     "https://***@github.com/org/prompts.git"),
    ("https user and token", "https://x-access-token:s3cr3t-Val@github.com/org/prompts.git",
     "https://x-access-token:***@github.com/org/prompts.git"),
    ("no scheme", "app:s3cr3t-Val@db:5432/prompts", "app:***@db:5432/prompts"),
    ("no scheme, no user", "not a url :s3cr3t-Val@", "not a url :***@"),
    ("libpq keywords", 'could not connect: host=db password=s3cr3t-Val user=app',
     "could not connect: host=db password=*** user=app"),
    ("libpq keyword, quoted", "dbname=x password='s3cr3t-Val with space'",
     "dbname=x password=***"),
    ("a URL inside an error message",
     "could not open 'postgresql://app:s3cr3t-Val@db/prompts?password=s3cr3t-Val': refused",
     "could not open 'postgresql://app:***@db/prompts?password=***': refused"),
    ("two URLs in one line", "redis://:s3cr3t-Val@a/0 and redis://b/0?password=s3cr3t-Val",
     "redis://:***@a/0 and redis://b/0?password=***"),
]

KEPT = [
    "sqlite:///promptsync.db",
    "sqlite:////var/lib/promptsync/promptsync.db",
    "postgresql+psycopg://app@db:5432/prompts",
    "redis://cache:6379/0",
    "git@github.com:org/prompts.git",
    "ssh://git@github.com/org/prompts.git",
    "https://github.com/org/prompts.git",
    "/home/ada/prompts",
    "Error 111 connecting to 127.0.0.1:6379. Connection refused.",
    'FATAL:  password authentication failed for user "app"',
    "prompts/acme/greeting.yaml:7:5: error: the template uses 'token' [variable-undeclared]",
    "--var 'brand_name' is not KEY=VALUE, e.g. --var user_name=Dana",
    "a design=3 or a monkey=2 is no credential",
]


@pytest.mark.parametrize(("what", "text", "shown"), MASKED, ids=[m[0] for m in MASKED])
def test_every_credential_form_is_masked(what: str, text: str, shown: str) -> None:
    assert redact(text) == shown
    assert SECRET not in redact(text)
    assert redact(shown) == shown  # masking twice changes nothing


@pytest.mark.parametrize("text", KEPT)
def test_text_without_a_credential_is_left_as_it_is(text: str) -> None:
    assert redact(text) == text


# -- through the places a URL is shown: `status` errors, the daemon's start-up line, the reader --

def _closed_port_url(scheme: str, path: str) -> str:
    return f"{scheme}://app@127.0.0.1:{free_port()}/{path}?password={SECRET}"


def test_status_error_masks_a_password_in_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    url = _closed_port_url("postgresql", "prompts")
    assert main(["status", "--db", url]) == 2
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "password=***" in err


def test_daemon_start_up_line_masks_a_password_in_the_query(prompt_repo: GitRepo) -> None:
    url = _closed_port_url("postgresql", "prompts")
    proc = subprocess.run([sys.executable, "-m", "promptsync", "sync", "--once",
                           "--repo", str(prompt_repo.path), "--db", url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "following main of" in proc.stderr  # the start-up line was written
    assert SECRET not in proc.stdout + proc.stderr
    assert "password=***" in proc.stderr


def test_reader_warnings_mask_a_password_in_the_query(caplog: pytest.LogCaptureFixture) -> None:
    db = _closed_port_url("postgresql", "prompts")
    cache = f"redis://127.0.0.1:{free_port()}/0?password={SECRET}"
    with caplog.at_level(logging.INFO, logger="promptsync"), \
            PromptReader(db_url=db, redis_url=cache, memory=False) as reader:
        assert reader.get("acme", PromptType.GREETING).source == "fallback"
    shown = "\n".join(r.getMessage() for r in caplog.records)
    assert "unavailable" in shown  # both servers were reported
    assert SECRET not in shown


def test_sync_of_a_url_with_a_token_in_its_query_never_prints_it(tmp_path: Path) -> None:
    # Nothing listens on the port: git fails, and its message quotes the URL it was given.
    url = f"http://127.0.0.1:{free_port()}/prompts.git?access_token={SECRET}"
    proc = subprocess.run([sys.executable, "-m", "promptsync", "sync", "--once", "--repo", url,
                           "--cache-dir", str(tmp_path / "mirrors"),
                           "--db", f"sqlite:///{tmp_path / 'p.db'}"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "unable to access" in proc.stderr  # git's own message was shown
    assert SECRET not in proc.stdout + proc.stderr
    assert "access_token=***" in proc.stderr


@pytest.mark.parametrize("url", [f"https://ada:{SECRET}@git.example.com/prompts.git",
                                 f"https://{SECRET}@git.example.com/prompts.git",
                                 f"https://git.example.com/prompts.git?private_token={SECRET}"])
def test_serve_given_a_url_with_a_credential_never_prints_it(
        url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["serve", "--repo", url, "--cache-dir", str(tmp_path),
                 "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "git.example.com" in err  # the server is named, its credential masked
    assert SECRET not in err
