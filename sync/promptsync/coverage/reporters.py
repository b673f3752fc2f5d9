"""The coverage matrix as text, JSON or a Markdown table (for a pull request or a wiki)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from promptsync.coverage.matrix import BUILTIN, FALLBACK, INHERITED, OWN, Cell, Matrix


def describe(cell: Cell) -> str:
    """`own`, `default de`, `fallback: northwind (en)`, `built-in (en)`; `, stale: ...` when the
    translation is older than its base."""
    answer = cell.answered_by
    if answer is None:
        words = f"built-in ({cell.answered_language})"
    elif cell.source == OWN:
        words = "own" if answer.locale == cell.locale else f"own {answer.locale}"
    elif cell.source == INHERITED:
        words = f"{answer.brand} {answer.locale}"
    else:
        words = f"fallback: {answer.brand} ({cell.answered_language or 'language unknown'})"
    if cell.stale:
        words += f", stale: from v{cell.stale_since}, base now v{cell.base_version}"
    if not cell.declared:
        words += " (not declared)"
    return words


def summary(matrix: Matrix) -> str:
    counted = [c for c in matrix.cells if c.declared]
    by = {s: sum(1 for c in counted if c.source == s) for s in (OWN, INHERITED, FALLBACK, BUILTIN)}
    stale = sum(1 for c in counted if c.stale)
    fallbacks = by[FALLBACK] + by[BUILTIN]
    text = (f"{len(counted)} declared cells: {by[OWN]} own, {by[INHERITED]} inherited, "
            f"{fallbacks} language fallback{'s' * (fallbacks != 1)}, {stale} stale")
    if matrix.skipped:
        text += (f"; {matrix.skipped} file{'s' * (matrix.skipped != 1)} left out (they do not "
                 "validate: see promptsync validate)")
    return text


def _header(matrix: Matrix) -> str:
    locales = ", ".join(matrix.locales) or "none declared"
    return (f"coverage of {matrix.label}: {len(matrix.brands)} brand"
            f"{'s' * (len(matrix.brands) != 1)}, locales {locales}")


def text(matrix: Matrix, out: TextIO) -> None:
    print(_header(matrix), file=out)
    rows = [["brand", "type", *matrix.locales]]
    for brand in matrix.brands:
        for cells in _rows(matrix, brand):
            rows.append([brand, cells[0].type.slug, *(describe(c) for c in cells)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(file=out)
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip(), file=out)
    print(file=out)
    print(summary(matrix), file=out)


def markdown(matrix: Matrix, out: TextIO) -> None:
    print(f"### Language coverage of {matrix.label}", file=out)
    print(file=out)
    print("| brand | type | " + " | ".join(f"`{t}`" for t in matrix.locales) + " |", file=out)
    print("|---|---|" + "---|" * len(matrix.locales), file=out)
    for brand in matrix.brands:
        for cells in _rows(matrix, brand):
            marks = " | ".join(_mark(c) + describe(c) for c in cells)
            print(f"| `{brand}` | {cells[0].type.slug} | {marks} |", file=out)
    print(file=out)
    print(summary(matrix) + ".", file=out)


def _mark(cell: Cell) -> str:
    return "⚠ " if cell.gap else ""


def json_(matrix: Matrix, out: TextIO) -> None:
    payload: dict[str, Any] = {
        "tree": matrix.label, "locales": list(matrix.locales),
        "brands": {b: {"language": i.language, "locales": None if i.locales is None
                       else list(i.locales)} for b, i in matrix.infos.items()},
        "cells": [_cell_json(c) for c in matrix.cells],
        "gaps": len(matrix.gaps), "skipped_files": matrix.skipped}
    json.dump(payload, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _cell_json(cell: Cell) -> dict[str, Any]:
    answer = cell.answered_by
    return {"brand": cell.brand, "type": cell.type.value, "locale": cell.locale,
            "declared": cell.declared, "source": cell.source,
            "answered_by": None if answer is None else {"brand": answer.brand,
                                                        "locale": answer.locale,
                                                        "path": answer.path},
            "language": cell.answered_language, "language_fallback": cell.language_fallback,
            "stale": cell.stale, "translated_from": cell.stale_since,
            "base_version": cell.base_version}


def _rows(matrix: Matrix, brand: str) -> list[list[Cell]]:
    by_type: dict[Any, list[Cell]] = {}
    for cell in matrix.cells:
        if cell.brand == brand:
            by_type.setdefault(cell.type, []).append(cell)
    return list(by_type.values()) if matrix.locales else []


REPORTERS: dict[str, Callable[[Matrix, TextIO], None]] = {
    "text": text, "json": json_, "markdown": markdown}
