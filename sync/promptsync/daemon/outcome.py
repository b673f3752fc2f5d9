"""The result of one sync cycle, its exit code, and its one structured log line."""

from __future__ import annotations

from dataclasses import dataclass

# applied: prompts changed; unchanged: commit published, no prompt changed; current: the
# database already held the commit; rejected: invalid commit; failed: the database refused the
# transaction; unreachable: git, the database or Redis could not be reached; contended: other
# writers (another daemon) moved sync_state before each of this cycle's attempts, so it follows
# them next cycle (the servers answered: not an outage); error: anything else went wrong in
# the cycle (a bug: the daemon logs it with its traceback and retries).
OK_STATUSES = ("applied", "unchanged", "current")
# The cycle did not reach its servers or broke: retried with the loop's backoff, unhealthy.
# (`failed` is the database's answer about one commit: retried on that commit's own schedule.)
UNREACHABLE_STATUSES = ("unreachable", "error")


@dataclass
class Outcome:
    status: str
    to_commit: str | None = None
    from_commit: str | None = None
    generation: int | None = None
    created: int = 0
    updated: int = 0
    deleted: int = 0
    reason: str = ""
    cache_ok: bool = True
    duration: float = 0.0
    retry_in: float | None = None  # failed: seconds until the commit is tried again
    quiet: bool = False  # said before (already rejected, a refusal being waited out)

    @property
    def exit_code(self) -> int:
        """0 the database holds the ref's commit, 1 rejected, 2 something unreachable."""
        if self.status in OK_STATUSES:
            return 0 if self.cache_ok else 2
        return 1 if self.status == "rejected" else 2

    def log_line(self) -> str:
        """`sync run status=applied from=... to=... created=1 ...` (logfmt: one line, greppable)."""
        fields: list[tuple[str, object]] = [
            ("status", self.status), ("from", self.from_commit or "-"),
            ("to", self.to_commit or "-"), ("created", self.created),
            ("updated", self.updated), ("deleted", self.deleted),
            ("generation", "-" if self.generation is None else self.generation),
            ("duration_ms", f"{self.duration * 1000:.1f}"),
            ("cache", "ok" if self.cache_ok else "pending")]
        if self.reason:
            first = self.reason.splitlines()[0]
            fields.append(("reason", '"' + first.replace('"', "'") + '"'))
        return "sync run " + " ".join(f"{k}={v}" for k, v in fields)
