"""A real uvicorn on a free loopback port, serving a real app, in a thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from promptsync.api.app import create_app
from promptsync.api.connections import GuardedServer, guarded_config
from promptsync.api.context import ApiContext, ApiSettings
from promptsync.api.keys import KeyStore
from promptsync.reader import PromptReader
from promptsync.store.engine import make_engine

START_LIMIT = 30.0


@dataclass
class Running:
    """A served app: its base URL, an HTTP client for it, and the context it runs with."""

    url: str
    client: httpx.Client
    ctx: ApiContext
    app: FastAPI


@contextmanager
def serve(app: FastAPI, **config: float) -> Iterator[str]:
    """Run `app` on a free loopback port until the block ends; yield its base URL. uvicorn is
    configured as `promptsync serve` configures it (`config`: guarded_config's options).

    The socket is bound here and handed to uvicorn: a port picked free and bound later can be
    taken in between by another test worker ("address already in use")."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = GuardedServer(guarded_config(app, log_level="warning", lifespan="off", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="test-uvicorn")
    thread.start()
    try:
        deadline = time.monotonic() + START_LIMIT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on port {port}")
            time.sleep(0.01)  # polling the server's own started flag
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_LIMIT)
        sock.close()


def make_context(repo: Path, db_url: str, keys_file: Path, **settings: object) -> ApiContext:
    s = ApiSettings(repo=repo, db_url=db_url, keys_file=keys_file, **settings)  # type: ignore[arg-type]
    return ApiContext(settings=s, reader=PromptReader(db_url=db_url, redis_url=s.redis_url),
                      engine=make_engine(db_url), keys=KeyStore(keys_file))


@contextmanager
def running(ctx: ApiContext, app: FastAPI | None = None) -> Iterator[Running]:
    """`ctx`'s app served and a client for it; the reader and engine closed after."""
    app = app or create_app(ctx)
    try:
        with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
            yield Running(url, client, ctx, app)
    finally:
        ctx.reader.close()
        ctx.engine.dispose()
