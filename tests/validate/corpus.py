"""The example corpus under tests/examples: load a case, build its repository, run the real CLI.

A case is a folder holding files at their repository paths (`prompts/acme/greeting.yaml`,
`schema/variables.yaml`) and an `expected.json`: either a list of findings, or an object with
`findings` and options (see tests/examples/README.md). The repository of a case is the project's
own `prompts/` and `schema/` with the case laid over them, so every good file of the project is
checked in the same run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from promptsync.cli.main import main
from promptsync.tree import is_prompt_candidate
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

EXAMPLES = PROJECT_ROOT / "tests" / "examples"
CASE_META = frozenset({"expected.json", "symlink.txt", "fifo.txt", "submodule.txt"})
# A broken file in another brand, added to a run to show one bad file never hides another.
PLANTED_PATH = "prompts/zz-planted/farewell.yaml"
PLANTED = """\
# yaml-language-server: $schema=../../schema/prompt.schema.json
type: FAREWELL
version: 1
template: |
  Goodbye from {{ brnad_name }}!
"""
PLANTED_FINDING = {"path": PLANTED_PATH, "line": 5, "code": "variable-undeclared"}
# The project's example content keeps one translation stale on purpose (README, "Languages"):
# its warning is the project's, not a case's.
DELIBERATELY_STALE = "prompts/northwind/farewell.fr.yaml"
# What CI passes with --strict for that reason (.ci/run).
ALLOW_STALE = ("--allow", "stale-translation")
# Above this much new address space a render has escaped the sandbox's limits.
MEMORY_HEADROOM = 1 << 30


@dataclass
class Case:
    name: str
    folder: Path
    findings: list[dict[str, Any]] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    pad: dict[str, int] = field(default_factory=dict)
    exact: bool = True
    rules: bool = False
    warning_only: bool = False
    known_bug: str = ""
    base: bool = False

    @property
    def files(self) -> list[str]:
        """The repository paths the case writes (its own files, not its metadata)."""
        return sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*")
                      if p.is_file() and p.relative_to(self.folder).as_posix() not in CASE_META)

    @property
    def symlinks(self) -> dict[str, str]:
        return dict(_pairs(self.folder / "symlink.txt"))

    @property
    def fifos(self) -> list[str]:
        listing = self.folder / "fifo.txt"
        return listing.read_text().split() if listing.exists() else []

    @property
    def submodules(self) -> list[str]:
        listing = self.folder / "submodule.txt"
        return listing.read_text().split() if listing.exists() else []

    def __str__(self) -> str:
        return self.name


def _pairs(listing: Path) -> Iterator[tuple[str, str]]:
    if not listing.exists():
        return
    for line in listing.read_text().splitlines():
        if line.strip():
            link, _, target = line.partition(" -> ")
            yield link.strip(), target.strip()


def load_case(folder: Path) -> Case:
    expected = folder / "expected.json"
    raw = json.loads(expected.read_text(encoding="utf-8")) if expected.exists() else []
    options = {"findings": raw} if isinstance(raw, list) else raw
    return Case(name=folder.name, folder=folder, **options)


def cases(kind: str) -> list[Case]:
    return [load_case(d) for d in sorted((EXAMPLES / kind).iterdir()) if d.is_dir()]


def params(found: list[Case], default_run: Collection[str] | None = None) -> list[Any]:
    """pytest params; a case that documents a known validator bug must fail (strict xfail).
    With `default_run`, the other cases carry `slow`: the default run keeps the named ones and
    .ci/run's slow pass runs the rest."""
    def marks(case: Case) -> list[Any]:
        found_marks: list[Any] = []
        if case.known_bug:
            found_marks.append(pytest.mark.xfail(strict=True, reason=case.known_bug))
        if default_run is not None and case.name not in default_run:
            found_marks.append(pytest.mark.slow)
        return found_marks
    return [pytest.param(c, id=c.name, marks=marks(c)) for c in found]


def one_per_code(found: list[Case]) -> set[str]:
    """The first case (by name) of each finding code: every code still runs by default."""
    first: dict[str, str] = {}
    for case in sorted(found, key=lambda c: c.name):
        for finding in case.findings:
            first.setdefault(finding["code"], case.name)
    return set(first.values()) | {c.name for c in found if not c.findings}


def project_prompt_files() -> list[str]:
    return sorted(p.relative_to(PROJECT_ROOT).as_posix()
                  for p in (PROJECT_ROOT / "prompts").rglob("*.yaml"))


def build_repository(case: Case, root: Path, *, plant: bool = False) -> Path:
    """The project's prompts/ and schema/ with the case laid over them; returns `root`.

    For a `base` case the project's files are first committed on `main`, and the case is
    left as uncommitted edits, to be checked with `--base main`.
    """
    if case.base:
        GitRepo.init(root)
    else:
        shutil.copytree(PROJECT_ROOT / "prompts", root / "prompts")
        shutil.copytree(PROJECT_ROOT / "schema", root / "schema")
    for rel in case.delete:
        (root / rel).unlink()
    for rel in case.files:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case.folder / rel, target)
    for rel, size in case.pad.items():
        _pad(root / rel, size)
    for rel, points_to in case.symlinks.items():
        _replace_with_symlink(root / rel, points_to)
    for rel in case.fifos:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)
    for rel in case.submodules:
        _replace_with_repository(root / rel)
    if plant:
        (root / PLANTED_PATH).parent.mkdir(parents=True)
        (root / PLANTED_PATH).write_text(PLANTED, encoding="utf-8")
    return root


def _pad(path: Path, size: int) -> None:
    # A YAML comment keeps the file valid apart from its size.
    data = path.read_bytes()
    filler = b"# " + b"padding " * (size // 8) + b"\n"
    path.write_bytes(data + filler[: size - len(data) - 1] + b"\n")
    assert path.stat().st_size == size


def _replace_with_symlink(link: Path, target: str) -> None:
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


def _replace_with_repository(path: Path) -> None:
    """A checked-out submodule at `path`: a folder holding another repository with a commit."""
    path.unlink(missing_ok=True)
    inner = GitRepo.init(path, with_project_prompts=False)
    inner.write("README.md", "another repository\n")
    inner.commit("Another repository")


def expected_files_checked(case: Case, plant: bool) -> int:
    """How many prompt files the run must check, counted from the case, not from the walker."""
    paths = set(project_prompt_files()) - set(case.delete)
    paths |= {p for p in [*case.files, *case.fifos] if is_prompt_candidate(p)}
    for link in [*case.symlinks, *case.submodules]:
        paths = {p for p in paths if not p.startswith(f"{link}/")} | {link}
    return len(paths) + plant


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.out))

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.payload["findings"])


@contextmanager
def memory_ceiling(headroom: int = MEMORY_HEADROOM) -> Iterator[None]:
    """Cap this process's address space while a possibly hostile template renders.

    A construct that slipped past the sandbox then fails with MemoryError (and the test with
    it) instead of taking the machine's memory from everyone else.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    current = _address_space()
    limit = current + headroom
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 4 << 30


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """`promptsync ARGS` in this process, under a memory ceiling."""
    capsys.readouterr()
    with memory_ceiling():
        code = main(list(args))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def run_subprocess(*args: str, cwd: Path | None = None, timeout: float = 60) -> Run:
    """`python -m sync ARGS` as a separate process, testing this worktree's code."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "promptsync", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_limit_child_memory)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _limit_child_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, resource.RLIM_INFINITY))


def without_project_stale(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings less the project's deliberately stale translation's warning."""
    return [f for f in findings
            if not (f["path"] == DELIBERATELY_STALE and f["code"] == "stale-translation")]


def matches(found: dict[str, Any], want: dict[str, Any]) -> bool:
    """`found` (a JSON finding) is the one `want` describes; message and hint match as parts."""
    for key, value in want.items():
        if key in ("message", "hint"):
            if str(value) not in str(found.get(key, "")):
                return False
        elif found.get(key) != value:
            return False
    return True


def missing(findings: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [w for w in wanted if not any(matches(f, w) for f in findings)]


def place(finding: dict[str, Any]) -> tuple[str, int, str]:
    return finding["path"], finding["line"], finding["code"]
