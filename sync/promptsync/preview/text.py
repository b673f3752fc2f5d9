"""The preview of changed prompts for a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from promptsync.preview.changes import PromptChange
from promptsync.preview.markdown import diff_lines, length_change, version
from promptsync.preview.reach import Reached, pairs


def write(changes: Sequence[PromptChange], out: TextIO, *, base_label: str,
          reached: Sequence[Reached] = ()) -> None:
    if not changes:
        print(f"no prompt changed since {base_label}", file=out)
        return
    for change in changes:
        print(f"{change.id}: {change.kind}, version {version(change.before)} → "
              f"{version(change.after)}", file=out)
        if change.variants and not change.invalid:
            print(f"  variants: {', '.join(change.variants)}", file=out)
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
    by_pair = pairs(reached)
    if by_pair:
        print(f"what this change reaches: {len(by_pair)} brand and locale pair(s) are served "
              "another text", file=out)
        for (brand, locale), cells in by_pair.items():
            types = ", ".join(f"{r.type.slug} ({_answered(r)})" for r in cells)
            print(f"  {brand} {locale or '(base text)'}: {types}", file=out)
        print(file=out)
    print(f"{len(changes)} prompt(s) changed since {base_label}", file=out)


def _answered(r: Reached) -> str:
    before, after = r.before or "built-in", r.after or "built-in"
    return f"{before}, edited" if r.before == r.after else f"{before} -> {after}"
