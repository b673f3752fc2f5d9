"""A run of `validate` whose files all come from the result cache (what a pre-commit hook
runs) imports none of what only checking a file needs: those imports were most of its time
(python-jsonschema ~50 ms, GitPython ~40 ms, Jinja ~30 ms, against a 150 ms budget)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.gitrepo import GitRepo

# Run in a process of its own: the test process has imported everything already.
PROGRAM = """
import contextlib, io, sys
from promptsync.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
asked = sys.stdin.read().split()
print(code, *sorted({m.split(".")[0] for m in sys.modules} & set(asked)))
"""
CHECKS_ONLY = ["jsonschema", "referencing", "jsonschema_rs", "jinja2", "git", "multiprocessing"]


def run(repo: GitRepo, *args: str) -> tuple[int, list[str]]:
    proc = subprocess.run([sys.executable, "-c", PROGRAM, "validate", *args],
                          cwd=repo.path, input=" ".join(CHECKS_ONLY), capture_output=True,
                          text=True, timeout=120, check=True)
    code, *imported = proc.stdout.split()
    return int(code), imported


def test_a_run_of_cached_files_imports_no_checks(prompt_repo: GitRepo) -> None:
    prompt_repo.git("checkout", "-q", "-b", "feature")  # versions checked against main
    first = run(prompt_repo)
    assert first[0] == 0 and "jinja2" in first[1]  # the first run checks every file
    # What pre-commit runs: one staged file, the rest in the cache.
    assert run(prompt_repo, "prompts/northwind/greeting.yaml") == (0, [])
    assert run(prompt_repo) == (0, [])
    # A file to check brings its imports back.
    prompt_repo.bump("prompts/northwind/greeting.yaml", "template:", "template:")
    code, imported = run(prompt_repo, "prompts/northwind/greeting.yaml")
    assert code == 0 and "jinja2" in imported and "git" not in imported
