"""One settings rule for every command and the reader: the flag, then PROMPTSYNC_*, then the
default; each command builds a typed settings object and runs it as a plain call."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from promptsync.cli import preview_cmd, validate_cmd
from promptsync.cli.main import build_parser, main
from promptsync.errors import UsageError
from promptsync.reader import settings as reader_settings
from promptsync.settings import (
    DEFAULT_DB_URL,
    resolve_as,
    resolve_db_url,
    resolve_folder,
    resolve_redis_url,
)
from tests.support.gitrepo import GitRepo, project_files_checked


def parse(*argv: str) -> argparse.Namespace:
    return build_parser(list(argv)).parse_args(list(argv))


def test_a_typed_value_takes_the_flag_then_the_variable_then_the_default() -> None:
    env = {"PROMPTSYNC_X": " 2.5 "}
    assert resolve_as(1.0, "PROMPTSYNC_X", 9.0, float, env) == 1.0
    assert resolve_as(None, "PROMPTSYNC_X", 9.0, float, env) == 2.5
    assert resolve_as(None, "PROMPTSYNC_X", 9.0, float, {"PROMPTSYNC_X": " "}) == 9.0
    with pytest.raises(UsageError, match=r"PROMPTSYNC_X='soon' is not a number"):
        resolve_as(None, "PROMPTSYNC_X", 9.0, float, {"PROMPTSYNC_X": "soon"},
                   expected="a number")


def test_urls_and_the_repository_follow_the_rule(tmp_path: Path) -> None:
    env = {"PROMPTSYNC_DB_URL": "sqlite:///env.db", "PROMPTSYNC_REDIS_URL": "redis://env/0",
           "PROMPTSYNC_REPO": str(tmp_path)}
    assert resolve_db_url("sqlite:///flag.db", env) == "sqlite:///flag.db"
    assert resolve_db_url(None, env) == "sqlite:///env.db"
    assert resolve_db_url(None, {}) == DEFAULT_DB_URL
    assert resolve_redis_url(None, env) == "redis://env/0"
    assert resolve_redis_url(None, {}) is None
    assert resolve_folder(None, env) == tmp_path.resolve()
    with pytest.raises(UsageError, match="not a directory"):
        resolve_folder(str(tmp_path / "missing"), env)


def test_the_reader_reads_its_timeouts_by_the_same_rule() -> None:
    env = {"PROMPTSYNC_DB_URL": "sqlite:///env.db", "PROMPTSYNC_REDIS_TIMEOUT": "0.2"}
    s = reader_settings.resolve(db_timeout=0.7, env=env)
    assert (s.db_url, s.redis_timeout, s.db_timeout) == ("sqlite:///env.db", 0.2, 0.7)
    with pytest.raises(UsageError, match="PROMPTSYNC_DB_TIMEOUT='fast' is not a number"):
        reader_settings.resolve(env={"PROMPTSYNC_DB_TIMEOUT": "fast"})


def test_validate_builds_its_settings_and_runs_as_a_call(
        prompt_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    env = {"PROMPTSYNC_REPO": str(prompt_repo.path)}
    s = validate_cmd.build_settings(parse("validate", "--no-cache", "--format", "json"), env)
    assert s == validate_cmd.ValidateSettings(root=prompt_repo.path.resolve(), paths=(),
                                              base=None, format="json", strict=False,
                                              cache=False)
    assert validate_cmd.validate(s) == 0
    assert json.loads(capsys.readouterr().out)["files_checked"] == project_files_checked()


def test_preview_builds_its_settings_from_the_flag_before_the_variable(
        prompt_repo: GitRepo, tmp_path: Path) -> None:
    env = {"PROMPTSYNC_REPO": str(tmp_path / "elsewhere")}
    args = parse("preview", "default/greeting", "--repo", str(prompt_repo.path),
                 "--var", "user_name=Dana")
    s = preview_cmd.build_settings(args, env)
    assert (s.root, str(s.prompt), s.assignments) == (
        prompt_repo.path.resolve(), "default/greeting", ("user_name=Dana",))
    with pytest.raises(UsageError, match="--changed needs --base"):
        preview_cmd.build_settings(parse("preview", "--changed"), env)


BAD_URLS = [
    # (command line, what the one line says); the password never shows
    (["status", "--db", "postgresql://app:s3cret@db:abc/prompts"],
     "postgresql://app:***@db:abc/prompts is not a database URL: the port is not a number"),
    (["sync", "--once", "--repo", ".", "--db", "postgresql://app:s3cret@db:abc/prompts"],
     "postgresql://app:***@db:abc/prompts is not a database URL: the port is not a number"),
    (["history", "--db", "postgresql://app:s3cret@db:abc/prompts"],
     "postgresql://app:***@db:abc/prompts is not a database URL: the port is not a number"),
    (["sync", "--once", "--repo", ".", "--redis", "redis://:s3cret@cache:abc/0"],
     "redis://:***@cache:abc/0 is not a Redis URL: the port is not a number"),
    (["status", "--db", "mysql://app:s3cret@db/prompts"],
     "unsupported database 'mysql' in mysql://app:***@db/prompts"),
    (["status", "--db", "prompts.db"], "prompts.db is not a database URL"),
]


@pytest.mark.parametrize(("argv", "said"), BAD_URLS, ids=[
    "status-db-port", "sync-db-port", "history-db-port", "sync-redis-port", "mysql", "no-scheme"])
def test_a_non_numeric_database_port_is_a_usage_error_not_a_bug(
        argv: list[str], said: str, prompt_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(prompt_repo.path)  # for --repo . and history's repository
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "s3cret" not in err and "this is a bug" not in err
