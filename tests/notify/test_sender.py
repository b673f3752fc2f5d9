"""One signed POST to a real HTTP receiver: the headers, a signature that verifies and covers the
sending time, Slack's shape for Slack, no redirects, URLs checked and shown masked."""

from __future__ import annotations

import json

import pytest

from promptsync.cli.options import notify_format, notify_urls
from promptsync.errors import UsageError
from promptsync.notify import events
from promptsync.notify.sender import Receiver, receivers, send, verify
from tests.support.receiver import Receiver as HttpReceiver
from tests.support.servers import free_port

STORED = json.dumps({"id": "0b7c", "event": "published", "created_at": "2026-12-06T10:00:00",
                     "commit": "3f2a1c9aa", "generation": 12, "author": "Ada <ada@x>",
                     "message": "Shorter greeting\n\nLong text", "changed": [
                         {"id": "acme/greeting", "version": 4, "action": "update"}]})


def test_the_signature_verifies_and_covers_the_sending_time() -> None:
    with HttpReceiver() as http:
        assert send(Receiver(http.url), "0b7c", "published", STORED, "s3cret") is None
        (got,) = http.requests
    h = got.headers
    assert (h["X-Promptsync-Event"], h["X-Promptsync-Delivery"]) == ("published", "0b7c")
    assert h["Content-Type"] == "application/json"
    assert verify("s3cret", got.body, h["X-Promptsync-Signature-256"])
    assert not verify("other", got.body, h["X-Promptsync-Signature-256"])
    assert got.json["sent_at"] == int(h["X-Promptsync-Timestamp"])  # signed, so not replayable
    assert {k: v for k, v in got.json.items() if k != "sent_at"} == json.loads(STORED)
    replayed = got.body.replace(b'"sent_at": ', b'"sent_at": 9')
    assert not verify("s3cret", replayed, h["X-Promptsync-Signature-256"])


def test_without_a_secret_nothing_is_signed() -> None:
    with HttpReceiver() as http:
        assert send(Receiver(http.url), "0b7c", "published", STORED, None) is None
    assert "X-Promptsync-Signature-256" not in http.requests[0].headers


def test_slack_gets_its_message_shape() -> None:
    with HttpReceiver() as http:
        assert send(Receiver(http.url, "slack"), "0b7c", "published", STORED, "s") is None
    assert http.requests[0].json == {"text": (
        ":white_check_mark: promptsync published `3f2a1c9` (generation 12) by Ada <ada@x>: "
        "Shorter greeting\n• `acme/greeting` v4 (update)")}
    rejected = events.slack({"event": "rejected", "commit": "abcdef12", "from_commit": None,
                             "findings": [{"text": "prompts/a/greeting.yaml:7:5: error: x [c]"}]})
    assert rejected["text"].endswith("• prompts/a/greeting.yaml:7:5: error: x [c]")


def test_a_failure_says_why_and_a_redirect_is_not_followed() -> None:
    with HttpReceiver(statuses=(500, 307)) as http:
        assert send(Receiver(http.url), "1", "failed", STORED, None) == \
            "HTTP 500 Internal Server Error"
        assert send(Receiver(http.url), "1", "failed", STORED, None) == \
            "HTTP 307 Temporary Redirect"
    refused = send(Receiver(f"http://127.0.0.1:{free_port()}/x"), "1", "failed", STORED, None)
    assert refused is not None and "ConnectionRefusedError" in refused


def test_urls_are_checked_told_apart_and_shown_masked() -> None:
    slack, plain = receivers(["https://hooks.slack.com/services/T0/B0/s3cret",
                              "http://hooks.example.com:8080/in", "http://hooks.example.com:8080/in"])
    assert (slack.format, plain.format) == ("slack", "json")
    assert slack.shown == "https://hooks.slack.com/services/…"
    assert plain.shown == "http://hooks.example.com:8080/in"
    assert slack.id != plain.id and len(slack.id) == 16
    assert receivers([plain.url], "slack")[0].format == "slack"
    with pytest.raises(UsageError, match="is not an http:// or https:// URL"):
        receivers(["ftp://files.example.com/x"])


def test_the_urls_come_from_the_flags_then_the_environment() -> None:
    env = {"PROMPTSYNC_NOTIFY_URLS": "http://a.example/x, http://b.example/y  http://c.example/",
           "PROMPTSYNC_NOTIFY_FORMAT": "slack"}
    assert notify_urls(None, env) == ("http://a.example/x", "http://b.example/y",
                                      "http://c.example/")
    assert notify_urls(["http://given.example/"], env) == ("http://given.example/",)
    assert notify_urls(None, {}) == ()
    assert notify_format(None, env) == "slack" and notify_format("json", env) == "json"
    with pytest.raises(UsageError, match="PROMPTSYNC_NOTIFY_FORMAT='xml' is not one of"):
        notify_format(None, {"PROMPTSYNC_NOTIFY_FORMAT": "xml"})
