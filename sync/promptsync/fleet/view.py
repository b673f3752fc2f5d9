"""The fleet: every reader's report, judged against what is published.

One reading and one judgement serve `promptsync fleet`, GET /v1/fleet, /metrics and the daemon's
fleet-stale check. A reader is
- `synced`: it serves the published generation (or keeps no memory tier, so every read goes to
  Redis or the database, which never answer older);
- `syncing`: behind, but the publish is younger than the grace;
- `stale`: behind for longer than the grace, or silent past its heartbeat while its connection
  to Redis is still open (a frozen or hung process: a stopped process keeps its sockets);
- `gone`: it said goodbye, or it is silent and its connection is closed (a killed process: its
  kernel closed it); where Redis refuses CLIENT LIST, a silent reader is gone once its lease
  ran out. Its report is kept for READER_KEEP_MS, then forgotten.
Every time compared is the Redis server's (protocol: REPORT_READER, STAMP_PUBLISH), so the
hosts' clocks may disagree without changing a verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from promptsync.cache.protocol import (
    GENERATION_KEY,
    LAST_PUBLISH_KEY,
    ReaderReport,
    connected_readers,
    decode_last_publish,
    decode_report,
    readers_pattern,
)
from promptsync.errors import UsageError
from promptsync.settings import resolve_as

DEFAULT_GRACE = 5.0
GRACE_ENV = "PROMPTSYNC_FLEET_GRACE"
STATES = ("synced", "syncing", "stale", "gone")
SCAN_COUNT = 1000


def resolve_grace(explicit: float | None, environ: Mapping[str, str] | None = None) -> float:
    """--grace, then PROMPTSYNC_FLEET_GRACE, then 5 s."""
    value = resolve_as(explicit, GRACE_ENV, DEFAULT_GRACE, float, environ,
                       expected="a number of seconds")
    if value < 0:
        raise UsageError(f"the fleet's grace must be 0 or more seconds, got {value:g}")
    return value


def silent_after(heartbeat: float) -> float:
    """Silence this long is a missed heartbeat, not a late one: one beat may be lost."""
    return 2 * heartbeat + 1.0


def lease(heartbeat: float) -> float:
    """Silence this long is a dead process (its heartbeat would have renewed it)."""
    return max(5 * heartbeat, 2 * silent_after(heartbeat))


@dataclass(frozen=True)
class Published:
    """What readers should serve: the database's generation when asked, else Redis's; `at_ms`
    when the daemon raised Redis to it (None: unknown, e.g. Redis was never told)."""

    generation: int | None
    commit: str | None
    at_ms: int | None = None


@dataclass(frozen=True)
class Judged:
    """One reader and its verdict; `picked_up_after` is how long after the publish it
    reported the published generation (None: it started at it, or has not yet)."""

    report: ReaderReport
    state: str
    why: str
    silent_for: float
    commit: str
    picked_up_after: float | None

    def as_dict(self) -> dict[str, Any]:
        r = self.report
        return {"id": r.id, "service": r.service, "host": r.host, "pid": r.pid,
                "version": r.version, "generation": r.generation, "commit": self.commit,
                "state": self.state, "why": self.why, "tiers": r.tiers,
                "heartbeat_seconds": r.heartbeat, "silent_seconds": round(self.silent_for, 3),
                "last_event_seconds_ago": None if r.event_age is None
                else round(r.event_age + self.silent_for, 3),
                "picked_up_seconds": None if self.picked_up_after is None
                else round(self.picked_up_after, 3)}


def judge(report: ReaderReport, published: Published, now_ms: int,
          grace: float = DEFAULT_GRACE, connected: Collection[str] | None = None) -> Judged:
    """`connected`: the ids of the readers whose report connection is open (None: unknown)."""
    silent = max(now_ms - report.reported_ms, 0) / 1000
    commit = report.commit or (published.commit or "" if report.generation is not None and
                               report.generation == published.generation else "")

    def verdict(state: str, why: str = "") -> Judged:
        return Judged(report, state, why, silent, commit, _picked_up(report, published))

    if report.closed:
        return verdict("gone", "stopped")
    silent_why = f"silent {silent:.1f} s, past its heartbeat ({report.heartbeat:g} s)"
    if silent > silent_after(report.heartbeat) and connected is not None:
        if report.id in connected:
            return verdict("stale", f"{silent_why}; its connection is open: frozen or hung")
        return verdict("gone", f"{silent_why}; its connection is closed: the process ended "
                       "(or lost Redis)")
    if silent > lease(report.heartbeat):
        return verdict("gone", f"silent {silent:.0f} s: its lease ({lease(report.heartbeat):g} "
                       "s) ran out")
    if silent > silent_after(report.heartbeat):
        return verdict("stale", silent_why)
    if report.generation is None:
        return verdict("synced", "no memory tier: reads Redis and the database")
    if published.generation is None or report.generation >= published.generation:
        return verdict("synced")
    age = None if published.at_ms is None else max(now_ms - published.at_ms, 0) / 1000
    behind = f"serves generation {report.generation}, {published.generation} is published"
    if age is not None and age <= grace:
        return verdict("syncing", f"{behind} ({age:.1f} s ago)")
    since = "" if age is None else f" {age:.1f} s ago"
    return verdict("stale", f"{behind}{since}, past the grace ({grace:g} s)")


def _picked_up(report: ReaderReport, published: Published) -> float | None:
    if (report.picked_up_ms is None or published.at_ms is None
            or report.generation != published.generation):
        return None
    return max(report.picked_up_ms - published.at_ms, 0) / 1000


@dataclass(frozen=True)
class Fleet:
    published: Published
    now_ms: int
    grace: float
    readers: tuple[Judged, ...]

    @property
    def live(self) -> list[Judged]:
        return [r for r in self.readers if r.state != "gone"]

    @property
    def stale(self) -> list[Judged]:
        return [r for r in self.readers if r.state == "stale"]

    @property
    def exit_code(self) -> int:
        """0 none is stale, 1 some reader is (gone ones and those within the grace are not)."""
        return 1 if self.stale else 0

    @property
    def convergence(self) -> float | None:
        """Seconds from the publish to the last live reader picking it up; None until every
        live reader serves it, or when none was running to pick it up."""
        live = self.live
        if not live or any(r.state != "synced" for r in live):
            return None
        times = [r.picked_up_after for r in live if r.picked_up_after is not None]
        return max(times) if times else None

    def only(self, service: str | None) -> Fleet:
        """The readers of one service (all when None)."""
        if service is None:
            return self
        return replace(self, readers=tuple(r for r in self.readers
                                           if r.report.service == service))

    def counts(self) -> dict[tuple[str, str], int]:
        """(service, state) -> readers."""
        return dict(Counter((r.report.service, r.state) for r in self.readers))

    def summary(self) -> str:
        live = self.live
        gone = len(self.readers) - len(live)
        tail = f"; {gone} gone" if gone else ""
        if not live:
            return "no reader reports to this Redis" + tail
        services = len({r.report.service for r in live})
        head = f"{_n(len(live), 'reader')} in {_n(services, 'service')}: "
        serving = self._serving()
        states = Counter(r.state for r in live)
        if states["synced"] == len(live):
            converged = self.convergence
            after = "" if converged is None else f", converged {_duration(converged)} after " \
                                                 "publish"
            return f"{head}all serve {serving}{after}{tail}"
        synced = states["synced"]
        parts = [f"{synced} serve{'s' if synced == 1 else ''} {serving}"] if synced else []
        parts += [f"{states[s]} {s}" for s in ("syncing", "stale") if states[s]]
        return head + ", ".join(parts) + tail

    def _serving(self) -> str:
        p = self.published
        if p.generation is None:
            return "what Redis holds (nothing published yet)"
        return f"{(p.commit or '?')[:7]} (generation {p.generation})"

    def as_dict(self) -> dict[str, Any]:
        p = self.published
        return {"available": True,
                "published": {"generation": p.generation, "commit": p.commit,
                              "at_ms": p.at_ms},
                "grace_seconds": self.grace, "summary": self.summary(),
                "convergence_seconds": None if self.convergence is None
                else round(self.convergence, 3),
                "counts": {state: sum(1 for r in self.readers if r.state == state)
                           for state in STATES},
                "readers": [r.as_dict() for r in self.readers]}


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def read(client: Any, database: Published | None = None,
         grace: float = DEFAULT_GRACE) -> Fleet:
    """Every report in the Redis of `client`, judged against `database` (the published commit
    and generation, when the caller read the database) or else Redis's own generation. Raises
    what redis-py raises when Redis cannot be reached."""
    keys = sorted(client.scan_iter(match=readers_pattern(), count=SCAN_COUNT))
    pipe = client.pipeline(transaction=False)
    pipe.time()
    pipe.get(GENERATION_KEY)
    pipe.hgetall(LAST_PUBLISH_KEY)
    pipe.client_list()
    for key in keys:
        pipe.hgetall(key)
    now, gen, last, clients, *raws = pipe.execute(raise_on_error=False)
    for answer in (now, gen, last, *raws):
        if isinstance(answer, Exception):
            raise answer
    # CLIENT LIST may be refused (an ACL, a managed Redis): the leases decide alone then.
    connected = None if isinstance(clients, Exception) else connected_readers(clients)
    now_ms = int(now[0]) * 1000 + int(now[1]) // 1000
    published = _published(database, gen, decode_last_publish(last))
    reports = []
    for raw in raws:
        try:
            reports.append(decode_report(raw))
        except ValueError:
            continue  # expired between SCAN and HGETALL (empty), or not a report
    judged = [judge(r, published, now_ms, grace, connected) for r in reports]
    judged.sort(key=lambda j: (STATES.index(j.state) if j.state != "stale" else -1,
                               j.report.service, j.report.host, j.report.pid))
    return Fleet(published, now_ms, grace, tuple(judged))


def _published(database: Published | None, gen: bytes | None, last: Any) -> Published:
    if database is not None:
        generation, commit = database.generation, database.commit
    else:
        generation = int(gen) if gen is not None and gen.isdigit() else None
        commit = last.commit if last is not None and last.generation == generation else None
    at_ms = last.at_ms if last is not None and last.generation == generation else None
    return Published(generation, commit, at_ms)
