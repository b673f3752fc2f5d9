"""The README's history and rollback examples, made for real.

    python tests/readme/history_rollback.py

Builds a demo prompt repository in a temporary folder (this repository's prompts as shipped, then
three edits by two editors on fixed dates), runs `promptsync history` and `promptsync rollback`
there as the README shows them, merges the rollback as a reviewer would, and prints each command
with its output. With fixed contents, authors and dates, git gives the same commit ids on every
run. tests/readme/test_history_rollback.py checks that the README shows this output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.readme.fresh_clone import shipped_prompts  # noqa: E402

GREETING, FAREWELL = "prompts/default/greeting.yaml", "prompts/default/farewell.yaml"
ADA, BO = ("Ada Editor", "ada@example.com"), ("Bo Writer", "bo@example.com")
# (when, who, file, old text, new text, message): each edit raises the version by one.
EDITS = [
    ("2026-11-03T10:00", ADA, GREETING, "How can I help you today?",
     "What can I do for you today?", "Ask what we can do for the customer"),
    ("2026-11-03T15:30", BO, FAREWELL, "Have a great day!", "Take care, and have a great day!",
     "Warmer farewell"),
    ("2026-11-04T09:15", ADA, GREETING, "What can I do for you today?", "Need something?",
     "Shorter greeting"),
]


def identity(who: tuple[str, str], when: str) -> dict[str, str]:
    name, email = who
    stamp = f"{when}:00+00:00"
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": stamp, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull}


def run(args: list[str], repo: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(args, cwd=repo, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def commit(repo: Path, message: str, env: dict[str, str]) -> None:
    run(["git", "add", "-A"], repo, env)
    run(["git", "commit", "-q", "-m", message], repo, env)


def edit(repo: Path, path: str, old: str, new: str) -> None:
    target = repo / path
    text = target.read_text(encoding="utf-8")
    version = int(text.split("\nversion: ", 1)[1].split("\n", 1)[0])
    text = text.replace(old, new).replace(f"\nversion: {version}\n", f"\nversion: {version + 1}\n")
    target.write_text(text, encoding="utf-8")


def build(repo: Path) -> list[str]:
    """The demo repository; returns its commits, oldest first."""
    repo.parent.mkdir(parents=True, exist_ok=True)
    run(["git", "init", "-q", "-b", "main", str(repo)], repo.parent)
    shipped_prompts(repo)
    commit(repo, "Import the prompts", identity(ADA, "2026-11-02T09:00"))
    for when, who, path, old, new, message in EDITS:
        edit(repo, path, old, new)
        commit(repo, message, identity(who, when))
    return run(["git", "rev-list", "--reverse", "HEAD"], repo).split()


def promptsync(repo: Path, *args: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """(the command as typed, its output)."""
    out = run([sys.executable, "-m", "promptsync", *args], repo, env)
    return "$ promptsync " + " ".join(args), out


def transcript(repo: Path) -> list[tuple[str, str]]:
    """Every command the README shows, in its order, with its output."""
    commits = build(repo)
    shown = [promptsync(repo, "history", "--brand", "default", "--since", "2026-11-03")]
    good = commits[1][:7]  # the greeting as it was before "Shorter greeting"
    shown.append(promptsync(repo, "rollback", "default/greeting", "--to", good,
                            env=identity(ADA, "2026-11-04T14:00")))
    branch = f"rollback/default-greeting-{good}"
    run(["git", "merge", "-q", "--ff-only", branch], repo, identity(BO, "2026-11-04T14:30"))
    shown.append(promptsync(repo, "history", "default/greeting"))
    return shown


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="promptsync-demo-") as tmp:
        for command, output in transcript(Path(tmp) / "demo"):
            print(f"{command}\n{output}")


if __name__ == "__main__":
    main()
