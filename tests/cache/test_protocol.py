"""The Redis protocol: what the daemon writes, the reader reads back unchanged."""

from __future__ import annotations

import pytest

from promptsync.cache import protocol
from promptsync.model import PromptId, PromptType
from promptsync.record import Prompt, freeze_variables

PROMPT = Prompt("default", PromptType.GREETING, "Hi {{ user_name }}", 3, "c0ffee", "db",
                freeze_variables({"user_name": {"type": "string", "required": False,
                                                "default": "there", "description": ""}}), 7)


def test_an_entry_round_trips_as_a_redis_answer() -> None:
    raw = protocol.encode_entry(PROMPT)
    assert protocol.decode_entry(raw.encode(), PromptType.GREETING) == \
        PROMPT._replace(source="redis")


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"brand": "x"}', b"\xff",
                                 b'{"brand":"a","template":"t","version":"x","commit":"c",'
                                 b'"generation":1}'])
def test_a_damaged_entry_is_a_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        protocol.decode_entry(raw, PromptType.GREETING)


def test_an_event_round_trips() -> None:
    ids = [PromptId("acme", PromptType.GREETING), PromptId("default", PromptType.HANDOFF)]
    event = protocol.decode_event(protocol.encode_event("abc", 4, reversed(ids)))
    assert event == protocol.Event("abc", 4, tuple(ids))


@pytest.mark.parametrize("payload", [b"", b"{}", b'{"commit":"a","generation":1,"changed":["x"]}',
                                     b'{"commit":"a","generation":"z","changed":[]}'])
def test_anything_else_on_the_channel_is_not_an_event(payload: bytes) -> None:
    with pytest.raises(ValueError):
        protocol.decode_event(payload)


def test_the_generation_rule() -> None:
    assert protocol.is_current(5, 5) and protocol.is_current(6, 5)
    assert not protocol.is_current(4, 5)
    assert not protocol.is_current(5, None)  # Redis restarted: nothing can be trusted


def test_keys() -> None:
    assert protocol.prompt_key("acme", PromptType.GREETING) == "promptsync:prompt:acme:greeting"
    assert protocol.type_pattern(PromptType.HANDOFF) == "promptsync:prompt:*:handoff"
