"""The README's curl session against `promptsync serve`, run for real.

    python tests/readme/api_session.py      # prints the session with today's output

The session is the fenced block after `<!-- readme: tested by tests/readme/test_api_session.py
-->`: each `$ ` line a command, the lines after it its output. A fresh clone of this repository
as shipped (tests/readme/fresh_clone.py) is served by `promptsync serve` on a free port; the
commands run in one bash, in the clone's folder, with `localhost:8080` pointed at that port.
Outputs are compared after tests.readme.harness.normalise (commit ids, dates, times).
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.readme.fresh_clone import fresh_clone  # noqa: E402
from tests.readme.harness import README  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

MARKER = "<!-- readme: tested by tests/readme/test_api_session.py -->"
SEPARATOR = "@@promptsync-readme-command@@"
IDENTITY = {"GIT_AUTHOR_NAME": "Ada Editor", "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Ada Editor", "GIT_COMMITTER_EMAIL": "ada@example.com",
            "GIT_CONFIG_NOSYSTEM": "1"}


def session(text: str | None = None) -> list[tuple[str, str]]:
    """(command, output) of each `$ ` line of the README's session block."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    start = lines.index(MARKER) + 1
    while not lines[start].startswith("```"):
        start += 1
    end = lines.index("```", start + 1)
    body = lines[start + 1:end]
    starts = [n for n, line in enumerate(body) if line.startswith("$ ")] + [len(body)]
    return [(body[a][2:], "\n".join(body[a + 1:b]).strip("\n"))
            for a, b in itertools.pairwise(starts)]


def env() -> dict[str, str]:
    return {**os.environ, **IDENTITY, "PYTHONPATH": str(ROOT),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


@contextmanager
def served(repo: Path) -> Iterator[int]:
    """`promptsync serve` in `repo` until the block ends; yields its port."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "promptsync", "serve", "--port", str(port)],
                            cwd=repo, env=env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"promptsync serve did not start: {proc.stderr}")
            time.sleep(0.05)  # polling the port with a limit
        yield port
    finally:
        proc.terminate()
        proc.communicate(timeout=60)


def _answers(port: int) -> bool:
    probe = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                            f"http://127.0.0.1:{port}/healthz"], capture_output=True, text=True)
    return probe.stdout == "200"


def run(commands: list[str], repo: Path, port: int) -> list[str]:
    """Each command's output (stdout and stderr), run in order by one bash."""
    # A group, so that 2>&1 also covers what a command substitution inside it prints.
    script = "".join(f"echo '{SEPARATOR}'\n{{ {_pointed(c, port)}\n}} 2>&1\n"
                     for c in commands)
    proc = subprocess.run(["bash", "-c", script], cwd=repo, env=env(), capture_output=True,
                          text=True, timeout=300)
    return proc.stdout.split(f"{SEPARATOR}\n")[1:]


def _pointed(command: str, port: int) -> str:
    return re.sub(r"\blocalhost:8080\b", f"127.0.0.1:{port}", command)


def transcript(folder: Path, commands: list[str]) -> list[str]:
    repo = fresh_clone(folder)
    with served(repo) as port:
        return run(commands, repo, port)


def main() -> None:
    commands = [c for c, _ in session()]
    with tempfile.TemporaryDirectory(prefix="promptsync-api-demo-") as tmp:
        for command, output in zip(commands, transcript(Path(tmp), commands), strict=True):
            print(f"$ {command}\n{output}", end="" if output.endswith("\n") else "\n")


if __name__ == "__main__":
    main()
