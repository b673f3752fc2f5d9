"""What every route works with: the settings, the reader, the database, the keys, the daemon.

One ApiContext per application, built by `promptsync serve` (or a test) and handed to
`create_app`; routes get it through the `get_context` dependency, never from a global. What a
route keeps for the life of the application (a cache, a service) is made on first use by
`per_app`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine

from promptsync.api.hosts import LOCAL_HOSTS
from promptsync.api.keys import KeyStore
from promptsync.edit.request import WriteTo
from promptsync.settings import DEFAULT_DB_URL, DEFAULT_REF

if TYPE_CHECKING:
    from promptsync.daemon.metrics import Metrics
    from promptsync.reader import PromptReader

DEFAULT_LAG_BUDGET = 60.0


@dataclass(frozen=True)
class ApiSettings:
    """`repo` is the prompt repository's folder (edits are commits in it), `ref` the
    published branch, `write_to` where an edit's commit goes: a review branch or `ref` itself.
    `open_reads`: reads and previews need no key even when keys exist. `webhook_secret`:
    PROMPTSYNC_WEBHOOK_SECRET (None: the webhook answers 503). `lag_budget`: /readyz fails
    when the in-process daemon has not reached its servers for this long. `allowed_hosts`:
    the `Host` names answered (others are 400: DNS rebinding), `*` for any. `server`: the git
    server's URL when `repo` is the private mirror of one (edits are pushed there)."""

    repo: Path
    ref: str = DEFAULT_REF
    write_to: WriteTo = "branch"
    db_url: str = DEFAULT_DB_URL
    redis_url: str | None = None
    keys_file: Path = Path("promptsync-keys.json")
    open_reads: bool = False
    webhook_secret: str | None = field(default=None, repr=False)
    lag_budget: float = DEFAULT_LAG_BUDGET
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    server: str | None = field(default=None, repr=False)


def _no_daemon() -> None:
    """--no-sync: nothing in this process publishes; another daemon follows the branch."""


@dataclass(frozen=True)
class ApiContext:
    """`wake_daemon` asks the in-process daemon for a sync cycle now (a no-op without one);
    `daemon_metrics` is that daemon's registry and health (None without one)."""

    settings: ApiSettings
    reader: PromptReader
    engine: Engine
    keys: KeyStore
    wake_daemon: Callable[[], None] = _no_daemon
    daemon_metrics: Metrics | None = None


async def get_context(request: Request) -> ApiContext:
    """The dependency that hands a route its application's context."""
    ctx: ApiContext = request.app.state.ctx
    return ctx


# A route's parameter `ctx: Ctx` is its application's ApiContext.
Ctx = Annotated[ApiContext, Depends(get_context)]


_PER_APP_LOCK = threading.Lock()
_Kept = TypeVar("_Kept")


def per_app(request: Request, name: str, build: Callable[[], _Kept]) -> _Kept:
    """The application's one `name`: made by `build()` on first use, then kept in `app.state`
    (concurrent first requests build it once)."""
    with _PER_APP_LOCK:
        found: _Kept | None = getattr(request.app.state, name, None)
        if found is None:
            found = build()
            setattr(request.app.state, name, found)
    return found
