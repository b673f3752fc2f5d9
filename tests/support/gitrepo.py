"""Real git repositories in temporary folders, built the way an editor would build them."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path

from promptsync.model import PromptId

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class GitRepo:
    """A working repository driven through the `git` command."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
        return proc.stdout.strip()

    @classmethod
    def init(cls, path: Path, *, with_project_prompts: bool = True) -> GitRepo:
        if with_project_prompts:
            # A copy of one repository built once per process: the same files and commit as
            # building it here, for a fifth of the time (four git processes per test, under
            # a loaded machine's scheduler, were a second a test).
            return cls.of_prompts(path, PROJECT_ROOT)
        path.mkdir(parents=True, exist_ok=True)
        repo = cls(path)
        repo.git("init", "-q", "-b", "main")
        return repo

    @classmethod
    def of_prompts(cls, path: Path, source: Path) -> GitRepo:
        """A repository on main whose one commit, "Import the prompts", holds `source`'s
        prompts/ and schema/ (a copy of one built once per process)."""
        shutil.copytree(_template(source), path, symlinks=True, dirs_exist_ok=True)
        repo = cls(path)
        # The copies have other inodes and change times than the index recorded: refresh it,
        # or plumbing (`git diff-index`) takes every file for modified.
        repo.git("update-index", "-q", "--refresh")
        return repo

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")

    def remove(self, rel: str) -> None:
        self.git("rm", "-q", "-r", rel)

    def commit(self, message: str, *, allow_empty: bool = False) -> str:
        self.git("add", "-A")
        args = ["commit", "-q", "-m", message]
        if allow_empty:
            args.append("--allow-empty")
        self.git(*args)
        return self.head()

    def head(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref)

    def bump(self, rel: str, old: str, new: str) -> str:
        """Replace text in a prompt file and raise its version by one, as an editor must."""
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"  # else the edit would silently do nothing
        text = text.replace(old, new)
        lines = text.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("version:"):
                lines[i] = f"version: {int(line.split(':', 1)[1]) + 1}\n"
                break
        self.write(rel, "".join(lines))
        return "".join(lines)


_TEMPLATES: dict[Path, Path] = {}


def _template(source: Path) -> Path:
    """A repository holding `source`'s prompts/ and schema/, committed on main as "Import the
    prompts", built on first use in this process and removed at its exit."""
    if source not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="promptsync-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        repo = GitRepo.init(folder / "repo", with_project_prompts=False)
        shutil.copytree(source / "prompts", repo.path / "prompts")
        shutil.copytree(source / "schema", repo.path / "schema")
        repo.commit("Import the prompts")
        _TEMPLATES[source] = repo.path
    return _TEMPLATES[source]


def project_files_checked() -> int:
    """How many files `validate` checks in the project's prompts/ (prompts and brand files)."""
    return len(list((PROJECT_ROOT / "prompts").rglob("*.yaml")))


def project_prompt_count() -> int:
    """How many prompts (base texts and translations) the project's prompts/ holds."""
    return sum(1 for p in (PROJECT_ROOT / "prompts").rglob("*.yaml")
               if PromptId.from_path(p.relative_to(PROJECT_ROOT).as_posix()) is not None)
