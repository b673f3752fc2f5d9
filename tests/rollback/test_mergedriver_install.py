"""The merge driver as the README installs it: the configuration line copied from the README,
the project's .gitattributes, a real `git merge` of two conflicting version edits, and a PATH
holding only the virtual environment's bin and /usr/bin (no `python` on Debian). When the
driver cannot run or fails, the line's fallback must still leave both sides in the file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from promptsync.gitio.mergefile import DRIVER_LINE
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

GREETING = "prompts/default/greeting.yaml"
VENV_BIN = Path(sys.executable).parent
CONFIG = re.compile(r"^ *git config merge\.promptsync-version\.driver '(.+)'$", re.MULTILINE)


def readme_line() -> str:
    [line] = CONFIG.findall((PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))
    return line


def two_version_edits(repo: GitRepo, driver: str) -> None:
    """pr-a and pr-b each edit another line of the greeting and raise version 1 to 2; main
    merges pr-a; pr-b is checked out, ready to merge main."""
    repo.git("config", "merge.promptsync-version.driver", driver)
    shutil.copy(PROJECT_ROOT / ".gitattributes", repo.path / ".gitattributes")
    repo.commit("Route prompt files to the version merge driver")
    for branch, old, new in (("pr-a", "empty for anonymous visitors", "empty when signed out"),
                             ("pr-b", "How can I help you today?", "What can I do for you?")):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.bump(GREETING, old, new)
        repo.commit(f"Edit on {branch}")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "pr-a", "-m", "Merge pr-a")
    repo.git("checkout", "-q", "pr-b")


def merge_main(repo: GitRepo, path: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path}
    return subprocess.run(["git", "merge", "main"], cwd=repo.path, env=env, text=True,
                          capture_output=True, timeout=120)


def assert_both_sides(repo: GitRepo, merged: subprocess.CompletedProcess[str]) -> str:
    """The merge stopped on the greeting, whose file holds both edits."""
    assert merged.returncode == 1, merged.stdout + merged.stderr
    assert repo.git("diff", "--name-only", "--diff-filter=U") == GREETING
    text = repo.read(GREETING)
    assert "empty when signed out" in text and "What can I do for you?" in text, text
    return text


def test_the_readme_configures_the_shipped_script_and_its_fallback() -> None:
    assert readme_line() == DRIVER_LINE
    assert (VENV_BIN / "promptsync-merge").exists(), "pip install -e . makes the script"


@pytest.mark.skipif(not Path("/usr/bin/git").exists(), reason="git is not in /usr/bin")
def test_with_only_the_venv_and_usr_bin_on_path_the_versions_conflict(prompt_repo: GitRepo,
                                                                     ) -> None:
    two_version_edits(prompt_repo, readme_line())
    text = assert_both_sides(prompt_repo, merge_main(prompt_repo, f"{VENV_BIN}:/usr/bin"))
    assert text.count("<<<<<<< ") == 1
    assert "<<<<<<< current\nversion: 2\n=======\nversion: 2\n>>>>>>> incoming\n" in text


@pytest.mark.skipif(not Path("/usr/bin/git").exists(), reason="git is not in /usr/bin")
def test_a_driver_that_cannot_run_leaves_both_sides(prompt_repo: GitRepo) -> None:
    # No venv on PATH: `promptsync-merge: not found` (exit 127); git alone would keep ours.
    # The fallback is git's plain merge: both edits, and (identical version lines) no marker,
    # but the merge still stops on the file, with the shell's complaint above it.
    two_version_edits(prompt_repo, readme_line())
    merged = merge_main(prompt_repo, "/usr/bin")
    assert "not found" in merged.stderr
    assert_both_sides(prompt_repo, merged)


@pytest.mark.skipif(not Path("/usr/bin/git").exists(), reason="git is not in /usr/bin")
def test_a_driver_that_fails_leaves_both_sides(prompt_repo: GitRepo, tmp_path: Path) -> None:
    # The driver crashes on a file it cannot read back (ours made unreadable is not possible
    # as root), so a `promptsync-merge` that fails the way a broken install does stands in:
    # what is tested is the configured line, not the driver.
    broken = tmp_path / "bin"
    broken.mkdir()
    script = broken / "promptsync-merge"
    script.write_text("#!/bin/sh\necho 'promptsync-merge: ModuleNotFoundError' >&2\nexit 2\n")
    script.chmod(0o755)
    two_version_edits(prompt_repo, readme_line())
    merged = merge_main(prompt_repo, f"{broken}:/usr/bin")
    assert "ModuleNotFoundError" in merged.stderr
    assert_both_sides(prompt_repo, merged)


def test_a_crash_inside_the_driver_exits_2_and_leaves_ours_untouched(tmp_path: Path) -> None:
    # A bug must not exit 1 (Python's code for an uncaught exception), which git reads as
    # "conflicts marked" and then keeps the file unmerged.
    ours = tmp_path / "ours"
    ours.write_text("version: 2\nmine\n")
    proc = subprocess.run([str(VENV_BIN / "promptsync-merge"), str(tmp_path / "missing-base"),
                           str(ours), str(tmp_path / "missing-theirs"), "p.yaml"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "p.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert ours.read_text() == "version: 2\nmine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ours"]  # no temporary file left
