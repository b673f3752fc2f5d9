"""The README's architecture table names every file of the package, and nothing that is gone."""

from __future__ import annotations

import fnmatch
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `(sync/promptsync/[^`]*)` \| (.+?) \| .+ \|$")


def named_in_readme() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    patterns = []
    for line in section.splitlines():
        row = ROW.match(line)
        if row:
            room, modules = row.groups()
            patterns += [room + name for name in re.findall(r"`([^`]+)`", modules)]
    return patterns


def test_every_file_of_the_package_is_named_in_the_architecture_section() -> None:
    tracked = subprocess.run(["git", "ls-files", "sync/promptsync/"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    patterns = named_in_readme()
    assert len(patterns) > 100
    unnamed = [f for f in tracked if not any(fnmatch.fnmatchcase(f, p) for p in patterns)]
    gone = [p for p in patterns if not any(fnmatch.fnmatchcase(f, p) for f in tracked)]
    assert unnamed == [], "add these to the README's Architecture table"
    assert gone == [], "these are named in the README's Architecture table but not in git"
