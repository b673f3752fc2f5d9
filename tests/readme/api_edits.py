"""The README's curl session of edits (a PUT, a 409, the audit log), run for real.

    python tests/readme/api_edits.py

Serves the API with `--write-to main` semantics (a real uvicorn, the real daemon in the same
process, SQLite) over a repository of this repository's prompts as shipped (HEAD's), makes a
write key, runs each `$ curl` line of the README's block through bash with $KEY set and
localhost:8080 pointing at that server, and prints each command with its output.
tests/readme/test_api_edits.py checks that the README shows this output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.api.edit_server import writing_api  # noqa: E402
from tests.daemon.helpers import sync_once  # noqa: E402
from tests.readme.fresh_clone import shipped_prompts  # noqa: E402
from tests.support.gitrepo import GitRepo  # noqa: E402

HEADERS = "-H \"Authorization: Bearer $KEY\" -H 'Content-Type: application/json'"
PUT = "curl -s -X PUT localhost:8080/v1/prompts/default/greeting " + HEADERS
COMMANDS = [
    PUT + " -d '{\"version\": 1, \"message\": \"Greet returning customers\", \"template\":"
          " \"{% if is_returning %}Welcome back{% else %}Welcome{% endif %} to {{ brand_name }},"
          " {% if user_name %}{{ user_name }}{% else %}friend{% endif %}!"
          " {% if agent_name %}I am {{ agent_name }}. {% endif %}How can we help?\\n\"}'"
          " | python3 -m json.tool",
    PUT + " -d '{\"version\": 1, \"template\": \"Hello and welcome to {{ brand_name }}!\\n\"}'"
          " | python3 -m json.tool",
    "curl -s 'localhost:8080/v1/audit?brand=default&type=greeting&limit=1' "
    "-H \"Authorization: Bearer $KEY\" | python3 -m json.tool",
]
# Left out of the comparison, as they depend on timing rather than on the code: whether the
# daemon had published within the PUT's wait (and so whether the entry has a live time yet),
# and the cursor, which names a commit whose id changes with the date it was made.
VARYING = [(re.compile(r'"live": (true|false)'), '"live": <live>'),
           (re.compile(r'"live_at": ("[^"]*"|null)'), '"live_at": <live_at>'),
           (re.compile(r'"next_cursor": "[^"]*"'), '"next_cursor": <cursor>')]


def unvarying(text: str) -> str:
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    return text


def transcript(folder: Path) -> list[tuple[str, str]]:
    """(command, output) of each command, on a fresh server in `folder`."""
    repo = GitRepo.init(folder / "repo", with_project_prompts=False)
    shipped_prompts(repo.path)
    repo.commit("Import the prompts")
    db = f"sqlite:///{folder / 'promptsync.db'}"
    assert sync_once(repo, db) == 0
    with writing_api(repo, db, folder / "keys.json") as api:
        host = api.server.url.removeprefix("http://")
        return [(command, _run(command.replace("localhost:8080", host), api.key, folder))
                for command in COMMANDS]


def _run(command: str, key: str, cwd: Path) -> str:
    proc = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "KEY": key})
    return proc.stdout.rstrip("\n")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="promptsync-readme-") as tmp:
        for cmd, out in transcript(Path(tmp)):
            print(f"$ {cmd}\n{out}")
