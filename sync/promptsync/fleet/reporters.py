"""`promptsync fleet` output, looked up by name: a table and a summary line, or JSON (the same
document GET /v1/fleet answers)."""

from __future__ import annotations

import json
from collections.abc import Callable

from promptsync.fleet.view import Fleet, Judged

HEADER = ("STATE", "SERVICE", "HOST", "PID", "GENERATION", "COMMIT", "PICKED UP", "LAST EVENT",
          "TIERS", "WHY")
TIERS = ("memory", "redis", "database")  # the order a read walks them


def text(fleet: Fleet) -> str:
    rows = [HEADER, *(_row(r) for r in fleet.readers)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows] if fleet.readers else []
    return "\n".join([*lines, *([""] if lines else []), fleet.summary()])


def _row(r: Judged) -> tuple[str, ...]:
    report = r.report
    generation = "-" if report.generation is None else str(report.generation)
    heard = "-" if report.event_age is None else f"{_seconds(report.event_age + r.silent_for)} ago"
    picked = "-" if r.picked_up_after is None else _seconds(r.picked_up_after)
    tiers = " ".join(name if state == "ok" else f"{name}({state})"
                     for name, state in sorted(report.tiers.items(), key=_tier_order)
                     if state != "off")
    return (r.state, report.service, report.host, str(report.pid), generation,
            r.commit[:7] or "-", picked, heard, tiers, r.why)


def _tier_order(item: tuple[str, str]) -> int:
    return TIERS.index(item[0]) if item[0] in TIERS else len(TIERS)


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def as_json(fleet: Fleet) -> str:
    return json.dumps(fleet.as_dict(), indent=2)


REPORTERS: dict[str, Callable[[Fleet], str]] = {"text": text, "json": as_json}
