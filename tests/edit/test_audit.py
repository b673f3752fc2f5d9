"""The audit log the API serves: filters, newest first, cursor pages, go-live times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine

from promptsync.cli.main import main
from promptsync.edit.request import Editor, EditRequest, Fields, Written
from promptsync.edit.service import EditService
from promptsync.history.audit import AuditLog, AuditQuery, BadCursor
from promptsync.history.view import HistoryFilter
from promptsync.model import PromptId
from tests.edit.conftest import GREETING, update
from tests.support.gitrepo import GitRepo

FAREWELL = PromptId.parse("default/farewell")
OMAR = Editor("omar", "omar@promptsync.invalid", "fedcba987654")


@pytest.fixture
def edited(prompt_repo: GitRepo, service: EditService) -> list[Written]:
    """Three API edits on main: dana twice (greeting, farewell), then omar (greeting)."""
    done = [service.apply(update()),
            service.apply(update(prompt=FAREWELL, template="Bye from {{ brand_name }}.\n")),
            service.apply(EditRequest(GREETING, "update", 2, OMAR, "Omar's greeting",
                                      Fields("Hey {{ brand_name }}\n"), write_to="main"))]
    assert all(isinstance(d, Written) for d in done), done
    return done  # type: ignore[return-value]


def test_entries_come_newest_first_with_who_key_versions_and_subject(
        prompt_repo: GitRepo, edited: list[Written]) -> None:
    entries = AuditLog(prompt_repo.path, "main", None).read(AuditQuery()).entries
    assert [e.commit for e in entries[:3]] == [w.commit for w in reversed(edited)]
    newest = entries[0]
    assert (newest.prompt, newest.action, newest.author_name) == (GREETING, "update", "omar")
    assert (newest.version_before, newest.version_after) == (2, 3)
    assert newest.admin_key == "sha256:fedcba987654" and newest.subject == "Omar's greeting"
    imported = entries[-1]
    assert imported.action == "create" and imported.admin_key is None


def test_filters_by_author_action_brand_type_and_time(prompt_repo: GitRepo,
                                                      edited: list[Written]) -> None:
    log = AuditLog(prompt_repo.path, "main", None)

    def commits(**kwargs: object) -> list[str]:
        return [e.commit for e in log.read(AuditQuery(**kwargs)).entries]  # type: ignore[arg-type]

    assert commits(where=HistoryFilter(author="omar")) == [edited[2].commit]
    assert commits(where=HistoryFilter(prompt=FAREWELL), action="update") == [edited[1].commit]
    assert commits(where=HistoryFilter(brand="northwind"), action="update") == []
    later = datetime.now(UTC) + timedelta(days=1)
    assert commits(where=HistoryFilter(since=later)) == []
    assert len(commits(action="update")) == 3
    assert commits(locale="de") == []


def test_a_cursor_walks_every_entry_once_even_when_commits_land_between_pages(
        prompt_repo: GitRepo, service: EditService, edited: list[Written]) -> None:
    log = AuditLog(prompt_repo.path, "main", None)
    everything = log.read(AuditQuery(limit=500)).entries
    first = log.read(AuditQuery(limit=2))
    assert first.next_cursor is not None
    # A new edit lands between the two requests: the next page goes on where the first ended.
    assert isinstance(service.apply(update(prompt=FAREWELL, version=2,
                                           template="Farewell, {{ brand_name }}.\n")), Written)
    seen = list(first.entries)
    cursor = first.next_cursor
    while cursor is not None:
        page = log.read(AuditQuery(limit=2, cursor=cursor))
        seen += page.entries
        cursor = page.next_cursor
    assert [(e.commit, e.prompt) for e in seen] == [(e.commit, e.prompt) for e in everything]
    with pytest.raises(BadCursor):
        log.read(AuditQuery(cursor="not-a-cursor"))


def test_live_at_comes_from_the_daemons_runs(prompt_repo: GitRepo, sqlite_url: str,
                                             edited: list[Written]) -> None:
    assert main(["sync", "--repo", str(prompt_repo.path), "--db", sqlite_url, "--once"]) == 0
    late = EditService(prompt_repo.path).apply(update(prompt=FAREWELL, version=2,
                                                      template="Later, {{ brand_name }}.\n"))
    assert isinstance(late, Written)
    engine = create_engine(sqlite_url)
    try:
        entries = AuditLog(prompt_repo.path, "main", engine).read(AuditQuery()).entries
    finally:
        engine.dispose()
    assert entries[0].commit == late.commit and entries[0].live_at is None
    assert all(e.live_at is not None for e in entries[1:])
