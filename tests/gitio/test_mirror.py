"""The daemon's mirror of a URL: cloned and fetched through gitio, with a time limit that names
the command, and git's stderr redacted (a URL may carry a token)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptsync.daemon.source import GitSource
from promptsync.errors import PromptSyncError, UnreachableError
from tests.support.gitrepo import GitRepo

SECRET = "s3cr3t-t0ken"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An HTTP URL whose server takes the connection and never answers (a hung remote)."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)  # the kernel completes the handshake; nobody ever reads or writes
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/prompts.git"
    finally:
        sock.close()


def test_a_url_is_cloned_then_fetched(prompt_repo: GitRepo, tmp_path: Path) -> None:
    source = GitSource(f"file://{prompt_repo.path}", tmp_path / "mirrors")
    source.refresh()
    head = prompt_repo.head()
    prompt_repo.write("prompts/default/notes.md", "new\n")
    newer = prompt_repo.commit("Notes")
    source.refresh()
    with source.open() as repo:
        assert repo.resolve("main") == newer and repo.has_commit(head)
    assert source.fetches == 2


@pytest.mark.timeout(60)
def test_a_hung_fetch_times_out_naming_the_command(prompt_repo: GitRepo, tmp_path: Path,
                                                   silent_server: str) -> None:
    source = GitSource(f"file://{prompt_repo.path}", tmp_path / "mirrors")
    source.refresh()
    GitRepo(source.path).git("config", "remote.origin.url", silent_server)
    assert source.mirror is not None
    source.mirror.timeout = 2
    with pytest.raises(UnreachableError) as caught:
        source.refresh()
    assert str(caught.value) == "git fetch origin timed out after 2 s"


def leaky_remote_helper(tmp_path: Path) -> dict[str, str]:
    """A PATH with `git-remote-leaky`, a remote helper that, like some real ones, repeats the
    URL it was given (credentials and all) in its error."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "git-remote-leaky"
    helper.write_text('#!/bin/sh\necho "fatal: cannot reach $2" >&2\nexit 1\n')
    helper.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.timeout(60)
def test_credentials_in_the_url_never_reach_the_message(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", leaky_remote_helper(tmp_path)["PATH"])
    url = f"leaky::https://x-access-token:{SECRET}@github.com/acme/prompts.git"
    with pytest.raises(PromptSyncError) as caught:
        GitSource(url, tmp_path / "mirrors").refresh()
    message = str(caught.value)
    assert SECRET not in message
    assert "cannot reach https://x-access-token:***@github.com/acme/prompts.git" in message
    assert message.startswith("git clone leaky::https://x-access-token:***@github.com/acme/")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["access_token", "private_token", "token", "key", "sig"])
def test_a_token_in_the_query_never_reaches_gits_error(tmp_path: Path, name: str) -> None:
    # Nothing listens on the port: git's own message quotes the URL, query and all.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/prompts.git?{name}={SECRET}"
    with pytest.raises(UnreachableError) as caught:
        GitSource(url, tmp_path / "mirrors").refresh()
    message = str(caught.value)
    assert SECRET not in message
    assert f"?{name}=***" in message and "unable to access" in message


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_mirror_and_its_config_are_the_owners_alone(prompt_repo: GitRepo,
                                                        tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask: new folders 0755, files 0644
    try:
        source = GitSource(f"file://{prompt_repo.path}", tmp_path / "mirrors")
        source.refresh()
    finally:
        os.umask(previous)
    assert (mode(tmp_path / "mirrors"), mode(source.path)) == (0o700, 0o700)
    assert mode(source.path / "config") == 0o600


def test_a_mirror_made_world_readable_is_tightened_on_the_next_fetch(
        prompt_repo: GitRepo, tmp_path: Path) -> None:
    source = GitSource(f"file://{prompt_repo.path}", tmp_path / "mirrors")
    source.refresh()
    source.path.chmod(0o755)
    (source.path / "config").chmod(0o644)
    source.refresh()
    assert (mode(source.path), mode(source.path / "config")) == (0o700, 0o600)


def test_a_fetch_killed_before_the_watchdog_flags_it_is_still_a_timeout() -> None:
    """GitPython's watchdog kills first and flags after: under load the git process ends,
    killed, before the flag is set, so its error carries exit status -9 and no timeout text (the
    CI failure of 2026-11-26). It is a timeout all the same, not 'failed: exit status -9'."""
    from git.exc import GitCommandError

    from promptsync.gitio.command import GitTimeout, failure

    killed = GitCommandError(["git", "fetch", "origin"], -9, b"", b"")
    error = failure(["fetch", "origin"], killed, 2)
    assert isinstance(error, GitTimeout)
    assert str(error) == "git fetch origin timed out after 2 s"


def test_a_fetch_git_itself_stops_for_stalling_is_a_timeout_too() -> None:
    """The mirror sets git's stall limit to its own timeout; under load git's clock can win the
    race with the watchdog's (CI, 2026-12-05): 'Operation too slow' is the same time limit."""
    from git.exc import GitCommandError

    from promptsync.gitio.command import GitTimeout, failure

    stalled = GitCommandError(["git", "fetch", "origin"], 128, b"fatal: unable to access "
                              b"'http://127.0.0.1:1/p.git/': Operation too slow. Less than 1 "
                              b"bytes/sec transferred the last 2 seconds", b"")
    error = failure(["fetch", "origin"], stalled, 2)
    assert isinstance(error, GitTimeout)
    assert str(error) == "git fetch origin timed out after 2 s"
