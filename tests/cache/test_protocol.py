"""The Redis protocol: what the daemon writes, the reader reads back unchanged."""

from __future__ import annotations

import fnmatch

import pytest

from promptsync.cache import protocol
from promptsync.model import PromptId, PromptType, id_order
from promptsync.record import Prompt, Variant, freeze_variables, freeze_variants

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
    assert protocol.prompt_key("acme", PromptType.GREETING, "de-CH") == \
        "promptsync:prompt:acme:greeting:de-CH"
    assert protocol.parse_prompt_key("promptsync:prompt:acme:greeting:de-CH") == \
        ("acme", "greeting", "de-CH")
    assert protocol.parse_prompt_key("promptsync:prompt:acme:greeting") == \
        ("acme", "greeting", "")
    assert protocol.parse_prompt_key("promptsync:gen") is None


def test_a_translation_round_trips_with_its_locale_and_language() -> None:
    prompt = PROMPT._replace(locale="de", language="de")
    raw = protocol.encode_entry(prompt)
    assert protocol.decode_entry(raw, PromptType.GREETING) == prompt._replace(source="redis")


def test_an_entry_from_before_locales_is_a_base_text() -> None:
    raw = b'{"brand":"a","type":"GREETING","template":"t","version":1,"commit":"c",' \
          b'"generation":1,"variables":{}}'
    decoded = protocol.decode_entry(raw, PromptType.GREETING)
    assert (decoded.locale, decoded.language) == ("", "")


def test_an_event_names_translations() -> None:
    ids = [PromptId("acme", PromptType.GREETING, "de-CH"), PromptId("acme", PromptType.GREETING)]
    event = protocol.decode_event(protocol.encode_event("abc", 4, ids))
    assert event.changed == tuple(sorted(ids))


@pytest.mark.parametrize(("changed", "key", "stale"), [
    ("acme/greeting", "promptsync:prompt:acme:greeting", True),
    ("acme/greeting", "promptsync:prompt:acme:greeting:fr-CA", True),  # the base answers all
    ("acme/greeting.de", "promptsync:prompt:acme:greeting", False),
    ("acme/greeting.de", "promptsync:prompt:acme:greeting:de-CH", True),
    ("acme/greeting.de", "promptsync:prompt:acme:greeting:fr", False),
    ("acme/greeting.de-CH", "promptsync:prompt:acme:greeting:de", False),
    ("acme/greeting", "promptsync:prompt:zeta:greeting:de", False),
    ("acme/greeting", "promptsync:prompt:acme:farewell", False),
    ("default/greeting.de", "promptsync:prompt:zeta:greeting:de-AT", True),
    ("default/greeting.de", "promptsync:prompt:zeta:greeting", False),
    ("default/greeting", "promptsync:prompt:zeta:greeting:de", True),
    ("default/greeting", "promptsync:gen", False),
])
def test_which_keys_a_change_reaches(changed: str, key: str, stale: bool) -> None:
    from promptsync.cache.invalidate import stale_under

    pid = PromptId.parse(changed)
    assert stale_under([pid])(key) is stale
    # The SCAN pattern finds every key the change reaches besides the base key it deletes.
    if stale and key != protocol.prompt_key(pid.brand, pid.type):
        assert fnmatch.fnmatchcase(key, protocol.reach_pattern(pid))


def test_variants_round_trip_and_a_prompt_without_writes_what_it_did_before() -> None:
    variants = freeze_variants([{"name": "warm", "weight": 30, "template": "Hey {{ x }}",
                                 "description": "warmer"}])
    prompt = Prompt("acme", PromptType.GREETING, "Hi", 3, "c" * 40, "db",
                    freeze_variables({}), 7, variants=variants)
    back = protocol.decode_entry(protocol.encode_entry(prompt), PromptType.GREETING)
    assert back == prompt._replace(source="redis")
    assert back.variants.arms == (Variant("warm", 30, "Hey {{ x }}", "warmer"),)
    plain = protocol.encode_entry(prompt._replace(variants=freeze_variants(None)))
    assert plain == ('{"brand":"acme","type":"GREETING","locale":"","language":"","version":3,'
                     '"template":"Hi","commit":"' + "c" * 40 + '","generation":7,'
                     '"variables":{}}')


def test_an_event_lists_its_ids_in_the_ids_own_order() -> None:
    """Sorted by `id_order` (a key, for 100,000 ids at a first load): the order PromptId's own
    comparisons give, types by their names."""
    ids = [PromptId(brand, t, tag) for brand in ("b", "a-2", "a") for t in PromptType
           for tag in ("fr", "", "de-CH")]
    assert sorted(ids, key=id_order) == sorted(ids)
    event = protocol.decode_event(protocol.encode_event("c0ffee", 2, reversed(ids)))
    assert list(event.changed) == sorted(ids)
