"""An API that serves the mirror of a real git server (`serve --repo URL --write-to main`),
with its daemon following the URL in the same process, as `promptsync serve` builds them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from promptsync.api.background import DaemonThread
from promptsync.api.keys import KeyStore, Scope
from promptsync.cli.sync_cmd import SyncSettings, build_syncer
from promptsync.daemon.metrics import Metrics
from promptsync.gitio.mirror import Mirror, mirror_path
from tests.api.server import Running, make_context, running
from tests.daemon.helpers import sync_once
from tests.support.gitrepo import GitRepo
from tests.support.gitserver import GitServer


@dataclasses.dataclass
class ServedFromServer:
    api: Running
    bare: GitRepo  # the server's repository
    url: str
    key: str
    db: str

    def put(self, prompt: str, version: int, template: str) -> httpx.Response:
        return self.api.client.put(f"/v1/prompts/{prompt}",
                                   headers={"Authorization": f"Bearer {self.key}"},
                                   json={"version": version, "template": template})


@contextmanager
def served_from(server: GitServer, bare: GitRepo, tmp_path: Path, *, interval: float = 3600,
                secret: str | None = None, write_to: str = "main"
                ) -> Iterator[ServedFromServer]:
    """The API over `server`'s prompts.git, SQLite, a daemon polling every `interval` s."""
    url, cache = server.url(), tmp_path / "mirrors"
    db = f"sqlite:///{tmp_path / 'served.db'}"
    assert sync_once(url, db, None, "--cache-dir", str(cache)) == 0
    mirror = Mirror(url, mirror_path(url, cache))
    mirror.refresh()
    keys = tmp_path / "keys.json"
    key = KeyStore(keys).add("dana", Scope.WRITE, None)
    settings = SyncSettings(repo=url, ref="main", db_url=db, redis_url=None, once=False,
                            interval=interval, allow_empty=False, metrics_port=None,
                            metrics_host="127.0.0.1", cache_dir=cache)
    daemon = DaemonThread(build_syncer(settings, Metrics()), interval).start()
    ctx = make_context(mirror.path, db, keys, write_to=write_to, server=url,
                       webhook_secret=secret)
    ctx = dataclasses.replace(ctx, wake_daemon=daemon.wake, daemon_metrics=daemon.metrics)
    try:
        with running(ctx) as api:
            yield ServedFromServer(api, bare, url, key, db)
            service = getattr(api.app.state, "edit_service", None)
            if service is not None:
                service.close()
    finally:
        daemon.stop()
        daemon.daemon.syncer.engine.dispose()
