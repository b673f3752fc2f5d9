"""The reader behind the real daemon: `promptsync sync --once` on a real repository."""

from __future__ import annotations

import time

import pytest

from promptsync import PromptType
from promptsync.cli.main import main
from tests.reader.conftest import wait_subscribed, wait_until
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(120)
GREETING, FAREWELL = PromptType.GREETING, PromptType.FAREWELL
NORTHWIND = "prompts/northwind/greeting.yaml"


def sync_once(repo: GitRepo, db_url: str, redis_url: str | None) -> int:
    cache = ["--redis", redis_url] if redis_url else []
    return main(["sync", "--once", "--repo", str(repo.path), "--db", db_url, *cache])


def test_daemon_commits_reach_the_reader(prompt_repo: GitRepo, db_url: str, redis_url: str,
                                         make_reader) -> None:
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)

    first = reader.get("northwind", GREETING)
    assert (first.brand, first.version, first.source) == ("northwind", 1, "db")
    assert first.commit == prompt_repo.head()
    text = reader.render("northwind", GREETING, {"brand_name": "Northwind Outfitters"})
    assert text.startswith("Hey there — welcome to Northwind Outfitters! I'm Skye")
    assert reader.get("northwind", GREETING).source == "memory"
    assert reader.get("acme", FAREWELL).brand == "default"

    prompt_repo.bump(NORTHWIND, "your guide for all things gear", "your trail guide")
    prompt_repo.commit("Shorter introduction")
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    assert wait_until(lambda: reader.get("northwind", GREETING).version == 2)
    assert "your trail guide" in reader.render("northwind", GREETING, {"brand_name": "N"})

    prompt_repo.bump("prompts/default/farewell.yaml", "Have a great day!", "Take care!")
    prompt_repo.commit("Warmer farewell")
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    assert wait_until(lambda: "Take care!" in reader.render("acme", FAREWELL,
                                                            {"brand_name": "Acme"}))
    assert wait_until(lambda: reader.get("acme", FAREWELL).source == "memory")


def test_without_redis_memory_answers_and_follows_each_commit(prompt_repo: GitRepo,
                                                              db_url: str, make_reader) -> None:
    # The embedded default: no Redis, so no events; the database's generation keeps memory fresh.
    assert sync_once(prompt_repo, db_url, None) == 0
    reader = make_reader(db_url, None)
    assert reader.get("northwind", GREETING).source == "db"
    assert {reader.get("northwind", GREETING).source for _ in range(200)} == {"memory"}
    for old, new in (("your guide for all things gear", "your trail guide"),
                     ("your trail guide", "your mountain guide")):
        version = reader.get("northwind", GREETING).version
        prompt_repo.bump(NORTHWIND, old, new)
        prompt_repo.commit(f"Say {new}")
        assert sync_once(prompt_repo, db_url, None) == 0
        applied = time.monotonic()
        assert wait_until(lambda v=version: reader.get("northwind", GREETING).version == v + 1)
        print(f"commit applied -> served from a reader without Redis: "
              f"{(time.monotonic() - applied) * 1000:.0f} ms")
        assert new in reader.get("northwind", GREETING).template
        # Between commits, reads are memory hits again.
        assert wait_until(lambda: reader.get("northwind", GREETING).source == "memory")
        assert {reader.get("northwind", GREETING).source for _ in range(200)} == {"memory"}
