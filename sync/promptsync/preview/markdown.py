"""The preview as a pull-request comment: a summary table first, then each changed prompt in a
<details> block with, for each sample, the change in length and a diff of the rendered text."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from typing import TextIO

from promptsync.preview.changes import PromptChange, SampleRender, Side
from promptsync.preview.reach import Reached, pairs
from promptsync.preview.render import Preview

MARKER = "<!-- promptsync-preview -->"
# GitHub refuses comments over 65,536 characters; keep room for the closing note.
MAX_CHARS = 60_000
MAX_DIFF_LINES = 120
FOOTER = ("<sub>Rendered with each file's `samples`. Try other values with "
          "`promptsync preview ID --var NAME=VALUE`; this comment is updated on every push.</sub>")
ICONS = {"created": "🆕 created", "updated": "✏️ updated", "deleted": "🗑️ deleted"}


def fence(body: str, lang: str) -> str:
    """A code fence longer than any run of backticks in `body`, so nothing breaks out of it."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body.rstrip(chr(10))}\n{ticks}"


def cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def length(r: Preview | None) -> int | None:
    return len(r.text) if r is not None and r.text is not None else None


def delta(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return ""
    d = after - before
    return "±0" if d == 0 else f"{d:+d}".replace("-", "−")


def length_change(s: SampleRender) -> str:
    old, new = length(s.before), length(s.after)
    if old is None and new is None:
        return "no text"
    if old is None:
        return f"{new} characters"
    if new is None:
        return f"{old} characters before"
    if old == new:
        return f"{new} characters (±0)"
    return f"{old} → {new} characters ({delta(old, new)})"


def version(side: Side | None) -> str:
    if side is None:
        return "—"
    return str(side.doc.version) if side.doc is not None else "?"


def _table_length(change: PromptChange) -> str:
    deltas = sorted({delta(length(s.before), length(s.after)) for s in change.samples} - {""})
    if deltas:
        return deltas[0] if len(deltas) == 1 else f"{deltas[0]} … {deltas[-1]}"
    sizes = [n for s in change.samples if (n := length(s.after) or length(s.before)) is not None]
    return f"{sizes[0]} characters" if sizes else "—"


def _table(changes: Sequence[PromptChange]) -> list[str]:
    rows = ["| Prompt | Change | Version | Samples changed | Length change |",
            "|:--|:--|:--|:--|:--|"]
    for c in changes:
        status = ICONS[c.kind]
        if c.invalid:
            status += " · ❌ invalid"
        changed = f"{sum(s.changed for s in c.samples)} of {len(c.samples)}"
        rows.append(f"| `{c.id}` | {status} | {version(c.before)} → {version(c.after)} | "
                    f"{'—' if c.invalid else changed} | "
                    f"{'—' if c.invalid else _table_length(c)} |")
    return rows


def diff_lines(before: str, after: str) -> list[str]:
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=3))
    body = lines[2:]  # drop the ---/+++ header: the summary says what is compared
    if len(body) > MAX_DIFF_LINES:
        body = [*body[:MAX_DIFF_LINES], f"… {len(body) - MAX_DIFF_LINES} more lines"]
    return body


def _sample_block(s: SampleRender) -> list[str]:
    title = f"**{cell(s.name)}** · {length_change(s)}"
    for label, r in (("before", s.before), ("after", s.after)):
        if r is not None and not r.ok:
            return [title, "", f"> ⚠️ does not render {label}: {cell(r.error or '')}", ""]
    old, new = s.texts
    if s.before is not None and s.after is not None and old == new:
        return [f"{title} · rendered text unchanged", ""]
    body = "\n".join(diff_lines(old, new)) if old or new else "(empty)"
    return [title, "", fence(body, "diff"), ""]


def _invalid(side: Side) -> list[str]:
    lines = ["> ❌ **This file does not pass validation**, so it cannot be previewed. "
             "The validation check lists every problem; the first ones:", ">"]
    for f in side.errors[:5]:
        hint = f" ({cell(f.hint)})" if f.hint else ""
        lines.append(f"> - line {f.line}: {cell(f.message)}{hint} `[{f.code}]`")
    return [*lines, ""]


def prompt_block(change: PromptChange, *, open_: bool) -> list[str]:
    head = (f"<summary><b><code>{change.id}</code></b> · {ICONS[change.kind]} · version "
            f"{version(change.before)} → {version(change.after)}</summary>")
    lines = [f"<details{' open' if open_ else ''}>", head, ""]
    if change.variants and not change.invalid:
        lines += [f"Variants: {cell(', '.join(change.variants))}", ""]
    if change.invalid and change.after is not None:
        lines += _invalid(change.after)
    else:
        for s in change.samples:
            lines += _sample_block(s)
    return [*lines, "</details>", ""]


def locale_label(locale: str) -> str:
    return f"`{locale}`" if locale else "base text (no locale)"


def answered(r: Reached) -> str:
    """`default/greeting.de` (edited), `a` → `b`, or the built-in text."""
    before = f"`{r.before}`" if r.before else "built-in text"
    after = f"`{r.after}`" if r.after else "built-in text"
    return f"{before} (edited)" if r.before == r.after else f"{before} → {after}"


def reach_section(reached: Sequence[Reached]) -> list[str]:
    """The brand and locale pairs whose served text changes: who reads something else now."""
    by_pair = pairs(reached)
    if not by_pair:
        return []
    n = len(by_pair)
    rows = [f"#### What this change reaches: {n} brand and locale pair{'s' * (n != 1)}", "",
            "Customers of these brands, asking in these locales, are served another text:", "",
            "| Brand | Locale | Prompt: answered by |", "|:--|:--|:--|"]
    for (brand, locale), cells in by_pair.items():
        served = "<br>".join(f"{r.type.slug}: {answered(r)}" for r in cells)
        rows.append(f"| `{brand}` | {locale_label(locale)} | {served} |")
    return [*rows, ""]


def write(changes: Sequence[PromptChange], out: TextIO, *, base_label: str,
          reached: Sequence[Reached] = ()) -> None:
    if not changes:
        out.write(f"{MARKER}\n### Prompt preview\n\nNo prompt changed since {base_label}.\n")
        return
    n = len(changes)
    parts = [MARKER, f"### Prompt preview: {n} prompt{'s' * (n != 1)} changed since "
             f"{base_label}", "", *_table(changes), "", *reach_section(reached),
             "Each sample of each changed prompt, rendered before and after "
             "(`-` removed, `+` added):", ""]
    text = "\n".join(parts)
    for i, change in enumerate(changes):
        block = "\n".join(prompt_block(change, open_=n <= 3))
        if len(text) + len(block) > MAX_CHARS:
            text += (f"\n_{n - i} more prompt(s) left out to fit in one comment; run "
                     "`promptsync preview --changed` locally to see them._\n")
            break
        text += "\n" + block
    out.write(text.rstrip("\n") + "\n\n" + FOOTER + "\n")
