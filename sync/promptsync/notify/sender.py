"""One POST of one notification to one receiver, signed.

Headers: `X-Promptsync-Event` (published, rejected, failed, fleet-stale), `X-Promptsync-Delivery`
(the event's id, the same on every attempt), `X-Promptsync-Timestamp` (seconds since the epoch
at sending) and, with PROMPTSYNC_NOTIFY_SECRET, `X-Promptsync-Signature-256: sha256=<hex>`, the
HMAC-SHA256 of the body with the secret. The body carries the same time as `sent_at`, so the
signature covers it: a receiver that checks the signature, refuses an old `sent_at` and
remembers the ids it saw is safe from replays and duplicates alike. A Slack incoming-webhook URL
(host hooks.slack.com, or --notify-format slack) gets Slack's message shape instead.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from promptsync.credentials import redact
from promptsync.errors import UsageError
from promptsync.notify.events import slack
from promptsync.version import package_version

TIMEOUT = 10.0
SLACK_HOSTS = ("hooks.slack.com",)


@dataclass(frozen=True)
class Receiver:
    """A --notify URL and the shape it gets (json or slack)."""

    url: str
    format: str = "json"

    @property
    def id(self) -> str:
        """How the outbox knows it: a hash, since the URL itself may be a secret (Slack's)."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:16]

    @property
    def shown(self) -> str:
        """The URL as logs and listings show it: scheme, host and first path segment."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        segments = [s for s in parts.path.split("/") if s]
        path = f"/{segments[0]}" + ("/…" if len(segments) > 1 else "") if segments else "/"
        return f"{parts.scheme}://{host}{path}"


def receivers(urls: Iterable[str], fmt: str = "auto") -> list[Receiver]:
    """Checked receivers, one per distinct URL; a bad one is a usage error naming it (masked)."""
    found: dict[str, Receiver] = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            shown = Receiver(url).shown if parts.hostname else redact(url)
            raise UsageError(f"--notify {shown!r} is not an http:// or https:// URL")
        shape = fmt if fmt != "auto" else \
            "slack" if parts.hostname.lower() in SLACK_HOSTS else "json"
        found.setdefault(url, Receiver(url, shape))
    return list(found.values())


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (in constant time); the tests' receiver uses it."""
    return hmac.compare_digest(sign(secret, body), header)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A receiver that moved says so with an error, not by bouncing the body elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send(receiver: Receiver, event_id: str, event: str, stored: str, secret: str | None,
         timeout: float = TIMEOUT) -> str | None:
    """POST the notification; None when the receiver took it (2xx), else why not."""
    now = int(time.time())
    body: dict[str, Any] = {**json.loads(stored), "sent_at": now}
    payload = json.dumps(slack(body) if receiver.format == "slack" else body).encode()
    headers = {"Content-Type": "application/json", "User-Agent":
               f"promptsync/{package_version()}", "X-Promptsync-Event": event,
               "X-Promptsync-Delivery": event_id, "X-Promptsync-Timestamp": str(now)}
    if secret:
        headers["X-Promptsync-Signature-256"] = sign(secret, payload)
    request = urllib.request.Request(receiver.url, data=payload, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return redact(f"{type(reason).__name__}: {reason}")
    return None if 200 <= status < 300 else f"HTTP {status}"
