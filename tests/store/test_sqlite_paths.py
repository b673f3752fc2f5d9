"""A SQLite database is found wherever its file is (a `#`, `?`, `%` or space in a folder's name),
and a URL that names no file is a usage error that says how to write one."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from promptsync import PromptReader, PromptType
from promptsync.cli.main import main
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo
from tests.support.servers import free_port

# (folder name, how the URL spells it): SQLAlchemy takes `%XX` escapes, and a raw `#`, space
# or `%` as they are; a `?` must be escaped, or it starts the URL's query.
FOLDERS = [("a#b c%d?e", True), ("a#b c%d", False)]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "quoted"), FOLDERS, ids=[f[0] for f in FOLDERS])
def test_a_database_in_a_folder_with_url_characters_is_read(
        prompt_repo: GitRepo, tmp_path: Path, name: str, quoted: bool,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / name
    folder.mkdir()
    db_file = folder / "promptsync.db"
    url = f"sqlite:///{quote(str(db_file)) if quoted else db_file}"
    assert sync_once(prompt_repo, url) == 0
    with PromptReader(db_url=url, memory=False) as reader:
        answer = reader.get("default", PromptType.GREETING)
    assert (answer.source, answer.commit) == ("db", prompt_repo.head())
    capsys.readouterr()
    assert main(["status", "--db", url, "--format", "json"]) == 0
    assert prompt_repo.head() in capsys.readouterr().out
    assert main(["history", "--repo", str(prompt_repo.path), "--db", url]) == 0
    # Nothing opened another file, nor created one, on the way.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "repo") == [name]
    assert {p.name for p in folder.iterdir()} <= {"promptsync.db", "promptsync.db-wal",
                                                  "promptsync.db-shm"}


TWO_SLASHES = [["status"], ["sync", "--once", "--repo", "{repo}"], ["history", "--repo", "{repo}"],
               ["serve", "--repo", "{repo}", "--port", "{port}"]]


@pytest.mark.parametrize("command", TWO_SLASHES, ids=[c[0] for c in TWO_SLASHES])
def test_two_slashes_name_no_file_and_the_message_says_three(
        command: list[str], prompt_repo: GitRepo, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    args = [a.format(repo=prompt_repo.path, port=free_port()) for a in command]
    assert main([*args, "--db", "sqlite://promptsync.db"]) == 2
    err = capsys.readouterr().err
    assert "this is a bug" not in err
    assert "sqlite://promptsync.db names no SQLite file" in err
    assert "write sqlite:///promptsync.db" in err
    assert not (tmp_path / "promptsync.db").exists()
