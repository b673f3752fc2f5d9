"""The merge driver on its own: git's merge, plus a conflict when both sides bumped the version."""

from __future__ import annotations

from pathlib import Path

from promptsync.mergedriver import main

BASE = ("type: GREETING\nversion: 1\ndescription: d\nvariables: {}\ntemplate: |\n"
        "  Hi\n  and\n  there\n")


def merge(tmp_path: Path, ours: str, theirs: str) -> tuple[int, str]:
    paths = []
    for name, text in (("base", BASE), ("ours", ours), ("theirs", theirs)):
        path = tmp_path / name
        path.write_text(text)
        paths.append(str(path))
    code = main([*paths, "prompts/acme/greeting.yaml"])
    return code, (tmp_path / "ours").read_text()


def test_only_one_side_bumped_merges_like_git(tmp_path: Path) -> None:
    ours = BASE.replace("version: 1", "version: 2").replace("Hi", "Hello")
    theirs = BASE.replace("there", "over there")
    assert merge(tmp_path, ours, theirs) == (0, ours.replace("there", "over there"))


def test_both_bumped_conflicts_on_the_version_line_only(tmp_path: Path) -> None:
    ours = BASE.replace("version: 1", "version: 2").replace("Hi", "Hello")
    theirs = BASE.replace("version: 1", "version: 2").replace("there", "over there")
    code, text = merge(tmp_path, ours, theirs)
    assert code == 1
    assert text == ("type: GREETING\n<<<<<<< current\nversion: 2\n=======\nversion: 2\n"
                    ">>>>>>> incoming\ndescription: d\nvariables: {}\ntemplate: |\n  Hello\n"
                    "  and\n  over there\n")


def test_a_conflict_git_already_wrote_is_left_alone(tmp_path: Path) -> None:
    ours = BASE.replace("version: 1\ndescription: d", "version: 2\ndescription: mine")
    theirs = BASE.replace("version: 1\ndescription: d", "version: 3\ndescription: theirs")
    code, text = merge(tmp_path, ours, theirs)
    assert code == 1
    assert text.count("<<<<<<<") == 1 and "version: 2\ndescription: mine\n=======" in text


def test_usage(capsys) -> None:
    assert main([]) == 2
    assert "usage:" in capsys.readouterr().err
