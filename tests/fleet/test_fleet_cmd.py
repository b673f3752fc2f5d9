"""`promptsync fleet` as a user meets it: plainly no fleet without Redis, the table and its
summary, unreachable servers as one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptsync.cli.main import main
from tests.reader.conftest import wait_subscribed, wait_until
from tests.support.publisher import Publisher
from tests.support.servers import free_port


def test_without_redis_it_says_the_fleet_needs_redis(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet"]) == 2
    assert capsys.readouterr().err == (
        "promptsync fleet: error: fleet needs Redis: readers report themselves there (without "
        "Redis they poll the database and write nothing); pass --redis URL or set "
        "PROMPTSYNC_REDIS_URL\n")


def test_an_unreachable_redis_or_database_is_one_line(capsys: pytest.CaptureFixture[str],
                                                      redis_url: str, tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    assert main(["fleet", "--redis", dead]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"promptsync fleet: error: Redis at {dead}: ") and err.count("\n") == 1
    missing = tmp_path / "none.db"
    assert main(["fleet", "--redis", redis_url, "--db", f"sqlite:///{missing}"]) == 2
    assert f"no promptsync database at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_the_table_and_the_summary(publisher: Publisher, sqlite_url: str, redis_url: str,
                                   make_reader, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSYNC_FLEET_HEARTBEAT", "0.2")
    publisher.apply({"default/greeting": ("Hello", 1)})
    wait_subscribed(make_reader(sqlite_url, redis_url, service="checkout-bot"))
    make_reader(sqlite_url, redis_url, service="direct", memory=False)

    def shown() -> str:
        assert main(["fleet", "--redis", redis_url, "--db", sqlite_url]) == 0
        return capsys.readouterr().out

    assert wait_until(lambda: "2 readers" in shown())
    lines = shown().splitlines()
    assert lines[0].split() == ["STATE", "SERVICE", "HOST", "PID", "GENERATION", "COMMIT",
                                "PICKED", "UP", "LAST", "EVENT", "TIERS", "WHY"]
    assert lines[1].split()[:2] == ["synced", "checkout-bot"]
    assert lines[1].split()[4:6] == ["1", "0000000"]
    assert "memory redis database" in lines[1]
    assert lines[2].split()[:2] == ["synced", "direct"]
    assert lines[2].endswith("no memory tier: reads Redis and the database")
    assert lines[-1] == "2 readers in 2 services: all serve 0000000 (generation 1)"
    assert main(["fleet", "--redis", redis_url, "--service", "nobody"]) == 0
    assert capsys.readouterr().out == "no reader reports to this Redis\n"
