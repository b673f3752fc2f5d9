"""The `Host` names the server answers for: a guard against DNS rebinding.

A page on another site can point its own name at 127.0.0.1 and then send requests the browser
thinks are same-origin: without a key (a laptop's default) or with `--open-reads`, it could
read the prompts and run previews. Such a request carries the attacker's name in `Host`, so
any name the server was not started for is refused (400) before a route runs. A request with
no `Host` at all (HTTP/1.0) is no browser's and passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from promptsync.api.problems import Problem, ProblemResponse

# Always answered: this machine's own names. `promptsync serve` adds the bind address.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
ANY = "*"


def normalize_host(name: str) -> str:
    """A host as `Host` names it, without port, brackets or a trailing dot, in lower case."""
    name = name.strip().lower()
    if name.startswith("["):  # [::1]:8080
        return name[1:].split("]", 1)[0]
    if name.count(":") == 1:  # host:port (a bare IPv6 address has several colons)
        name = name.split(":", 1)[0]
    return name.rstrip(".")


def allowed_hosts(*names: Iterable[str]) -> tuple[str, ...]:
    """LOCAL_HOSTS and `names`, normalised, each once, in order."""
    found: dict[str, None] = dict.fromkeys(LOCAL_HOSTS)
    for group in names:
        found.update(dict.fromkeys(normalize_host(n) for n in group if n.strip()))
    return tuple(found)


class HostCheck:
    """Answer 400 (problem+json) to a request whose `Host` is not one of `allowed`."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(normalize_host(n) for n in allowed)
        self.any = ANY in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.any:
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if host is None or normalize_host(host) in self.allowed:
            await self.app(scope, receive, send)
            return
        problem = Problem(400, "Host not allowed", f"this server does not answer for the host "
                          f"{host[:80]!r} (a guard against DNS rebinding); its operator can add "
                          "the name with --allowed-host", type="host-not-allowed")
        await ProblemResponse(problem.body(scope["path"]), status_code=400)(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
