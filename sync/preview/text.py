"""The preview of changed prompts for a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from promptsync.preview.changes import PromptChange
from promptsync.preview.markdown import diff_lines, length_change, version


def write(changes: Sequence[PromptChange], out: TextIO, *, base_label: str) -> None:
    if not changes:
        print(f"no prompt changed since {base_label}", file=out)
        return
    for change in changes:
        print(f"{change.id}: {change.kind}, version {version(change.before)} → "
              f"{version(change.after)}", file=out)
        if change.invalid and change.after is not None:
            for f in change.after.errors:
                print(f"  invalid: {f.as_text()}", file=out)
            print(file=out)
            continue
        for s in change.samples:
            print(f"  sample {s.name!r}: {length_change(s)}", file=out)
            problems = [f"{label}: {r.error}" for label, r in (("before", s.before),
                        ("after", s.after)) if r is not None and not r.ok]
            if problems:
                print("\n".join(f"    does not render {p}" for p in problems), file=out)
                continue
            for line in diff_lines(*s.texts):
                print(f"    {line}", file=out)
        print(file=out)
    print(f"{len(changes)} prompt(s) changed since {base_label}", file=out)
