"""Who is calling: the API key of a request (`Authorization: Bearer <key>`), its scope and brands.

A header, not a cookie: a cross-site form cannot send it, so a page elsewhere cannot edit a
prompt with an editor's browser. Writes always need a key. Reads and previews need one when
any key exists, unless the operator opened them (`--open-reads`); with no key at all, the
server is someone's laptop and anyone may read and preview.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from promptsync.api.context import ApiContext
from promptsync.api.keys import KeyRecord, KeysFileError, Scope
from promptsync.api.problems import Problem

__all__ = ["Caller", "Previewer", "Reader", "Scope", "Writer", "bearer", "require"]

bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey", bearerFormat="ps_...",
                    description="An API key from `promptsync keys add`, sent as "
                                "`Authorization: Bearer ps_...`.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="promptsync"'}


@dataclass(frozen=True)
class Caller:
    """The key a request came with. `brands` None: every brand. `key_hash_prefix` is the first
    12 hex digits of the key's SHA-256 (the audit trail's `Admin-Key: sha256:<prefix>`)."""

    name: str
    key_hash_prefix: str
    scope: Scope
    brands: frozenset[str] | None
    email: str = ""

    @classmethod
    def of(cls, record: KeyRecord) -> Caller:
        brands = None if record.brands is None else frozenset(record.brands)
        return cls(record.name, record.hash_prefix, record.scope, brands, record.email)

    @property
    def anonymous(self) -> bool:
        return not self.key_hash_prefix

    def may_edit(self, brand: str) -> bool:
        return self.brands is None or brand in self.brands

    def check_brand(self, brand: str) -> None:
        """403 unless this key covers `brand`."""
        if self.may_edit(brand):
            return
        covered = ", ".join(sorted(self.brands or ()))
        noun = "brand" if len(self.brands or ()) == 1 else "brands"
        raise Problem(403, "Forbidden", f"this key may edit {noun} {covered} only",
                      type="brand-forbidden", brand=brand, key=self.name)


ANONYMOUS = Caller("anonymous", "", Scope.PREVIEW, None)


def require(scope: Scope) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the request's Caller when its key holds `scope`; 401 or 403 otherwise."""

    async def dependency(request: Request, credentials: Annotated[
            HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
        return authorize(request, scope)

    return dependency


def authorize(request: Request, scope: Scope) -> Caller:
    """What `require` checks, as a call: for a hot route that declares `SECURITY` in its
    `openapi_extra` instead of a dependency (each dependency costs tens of microseconds)."""
    ctx: ApiContext = request.app.state.ctx
    try:
        return _authorize(ctx, request, scope)
    except KeysFileError:  # logged by the KeyStore, once per change of the file
        raise Problem(503, "API keys unavailable", "the server's API keys file cannot be read, "
                      "so no request that needs a key is let through; an operator must fix it "
                      "(the server's log names the file)", type="keys-unavailable",
                      headers={"Retry-After": "30"}) from None


def _authorize(ctx: ApiContext, request: Request, scope: Scope) -> Caller:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _without_key(ctx, scope, request)
    record = ctx.keys.find(secret.strip())
    if record is None:
        raise Problem(401, "Unauthorized", "this API key is not known here (it may have "
                      "been removed); ask an operator for one: promptsync keys add",
                      type="key-unknown", headers=_CHALLENGE)
    caller = Caller.of(record)
    if caller.scope < scope:
        raise Problem(403, "Forbidden", f"this key has scope {caller.scope.label}; this "
                      f"needs {scope.label}", type="scope-forbidden", key=caller.name)
    return caller


# The OpenAPI security requirement of a route that calls `authorize` itself.
SECURITY: dict[str, Any] = {"security": [{"ApiKey": []}]}


def _without_key(ctx: ApiContext, scope: Scope, request: Request) -> Caller:
    header = request.headers.get("authorization")
    if header:
        raise Problem(401, "Unauthorized", "send the key as `Authorization: Bearer <key>`",
                      type="key-malformed", headers=_CHALLENGE)
    open_ = scope <= Scope.PREVIEW and (ctx.settings.open_reads or not ctx.keys.any())
    if open_:
        return ANONYMOUS
    why = "edits always need a key" if scope is Scope.WRITE else "this server has API keys"
    raise Problem(401, "Unauthorized", f"an API key with scope {scope.label} is needed ({why}); "
                  "send `Authorization: Bearer <key>` (keys come from `promptsync keys add`)",
                  type="key-missing", headers=_CHALLENGE)


# A route's parameter `caller: Writer` requires a key of scope write, and so on.
Reader = Annotated[Caller, Depends(require(Scope.READ))]
Previewer = Annotated[Caller, Depends(require(Scope.PREVIEW))]
Writer = Annotated[Caller, Depends(require(Scope.WRITE))]
