"""The reader with a locale: one spelling of the tag, a malformed tag reads the base text, and a
language fallback is logged once and counted on every answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import redis
from prometheus_client import REGISTRY

from promptsync import PromptReader, PromptType
from promptsync.cache.protocol import prompt_key
from tests.reader.conftest import wait_subscribed, wait_until
from tests.support.publisher import Publisher

pytestmark = pytest.mark.timeout(60)
G = PromptType.GREETING


def language_fallbacks(language: str) -> float:
    value = REGISTRY.get_sample_value("promptsync_reader_language_fallback_total",
                                      {"type": "GREETING", "language": language})
    return value or 0.0


def _answer(reader: PromptReader, locale: Any) -> tuple[str, str, str]:
    p = reader.get("acme", G, locale=locale)
    return p.brand, p.locale, p.template


@pytest.fixture
def acme(publisher: Publisher) -> Publisher:
    publisher.apply({"default/greeting": ("Hello", 1), "acme/greeting": ("Hi from Acme", 1),
                     "acme/greeting.de-CH": ("Grüezi", 1), "default/greeting.de": ("Hallo", 1)},
                    base_language="en")
    return publisher


@pytest.mark.parametrize("spelling", ["de-CH", "de_CH", "DE-ch", "de-ch", " de_ch "])
def test_any_spelling_of_a_tag_reads_its_canonical_text(acme: Publisher, db_url: str,
                                                        redis_url: str, make_reader,
                                                        spelling: str) -> None:
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    for source in ("db", "memory"):
        p = reader.get("acme", G, locale=spelling)
        assert (p.brand, p.locale, p.language, p.template, p.source) == (
            "acme", "de-CH", "de", "Grüezi", source)
    client = redis.Redis.from_url(redis_url)
    try:  # cached under the one spelling, not the caller's
        assert client.exists(prompt_key("acme", G, "de-CH"))
    finally:
        client.close()
    assert make_reader(db_url, redis_url, memory=False).get(
        "acme", G, locale=spelling).source == "redis"


def test_the_order_is_language_first(acme: Publisher, db_url: str, redis_url: str,
                                     make_reader) -> None:
    reader = make_reader(db_url, redis_url)
    assert _answer(reader, "de-AT") == ("default", "de", "Hallo")  # default's German first
    assert _answer(reader, "fr") == ("acme", "", "Hi from Acme")
    assert _answer(reader, None) == ("acme", "", "Hi from Acme")
    assert reader.render("acme", G, {}, locale="de") == "Hallo"
    unknown = reader.get("zeta", G, locale="de-CH")
    assert (unknown.brand, unknown.locale, unknown.template) == ("default", "de", "Hallo")


@pytest.mark.parametrize("bad", ["german!", "d", "de-CH-x-private-use", "", 42, ["de"]])
def test_a_malformed_tag_reads_the_base_text_with_one_warning(acme: Publisher, db_url: str,
                                                              redis_url: str, make_reader,
                                                              caplog: Any, bad: Any) -> None:
    reader = make_reader(db_url, redis_url)
    with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
        answers = {_answer(reader, bad) for _ in range(3)}
        assert reader.render("acme", G, {}, locale=bad) == "Hi from Acme"
    assert answers == {("acme", "", "Hi from Acme")}
    malformed = [r for r in caplog.records if "malformed locale" in r.getMessage()]
    assert len(malformed) == (0 if bad == "" else 1)


def test_a_language_fallback_is_logged_once_and_counted_every_time(
        acme: Publisher, db_url: str, redis_url: str, make_reader, caplog: Any) -> None:
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    before = language_fallbacks("fr")
    with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
        sources = [reader.get("acme", G, locale="fr-CA").source for _ in range(4)]
        reader.get("acme", G, locale="fr_CA")  # another spelling, the same asked locale
        reader.get("acme", G, locale="en")  # the base text is English: no fallback
        reader.get("acme", G, locale="de")  # default's German: no fallback either
    assert sources == ["db", "memory", "memory", "memory"]
    assert language_fallbacks("fr") - before == 5
    logged = [r.getMessage() for r in caplog.records if "language fallback" in r.getMessage()]
    assert logged == ["language fallback: acme/greeting asked in fr-CA is answered in en "
                      "(acme/greeting)"]


def test_a_base_text_of_undeclared_language_is_a_fallback(publisher: Publisher, db_url: str,
                                                          redis_url: str, make_reader) -> None:
    publisher.apply({"default/greeting": ("Hello", 1)})  # no brand declares a language
    before = language_fallbacks("en")
    make_reader(db_url, redis_url).get("acme", G, locale="en")
    assert language_fallbacks("en") - before == 1


def test_a_new_translation_reaches_memory_through_the_event(acme: Publisher, db_url: str,
                                                            redis_url: str,
                                                            make_reader) -> None:
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)
    assert _answer(reader, "fr-CA") == ("acme", "", "Hi from Acme")
    assert reader.get("acme", G, locale="fr-CA").source == "memory"
    acme.apply({"default/greeting.fr": ("Bonjour", 1)})
    assert wait_until(lambda: _answer(reader, "fr-CA") == ("default", "fr", "Bonjour"))
    assert _answer(reader, "de-CH") == ("acme", "de-CH", "Grüezi")
    acme.apply({"acme/greeting.de-CH": None})
    assert wait_until(lambda: _answer(reader, "de-CH") == ("default", "de", "Hallo"))


def test_without_redis_a_locale_reads_the_database(acme: Publisher, db_url: str,
                                                   make_reader) -> None:
    reader = make_reader(db_url, None)
    first = reader.get("acme", G, locale="de-CH")
    assert (first.source, first.locale) == ("db", "de-CH")
    assert reader.get("acme", G, locale="de-CH").source == "memory"


def test_aget_and_arender_take_a_locale(acme: Publisher, db_url: str, redis_url: str,
                                        make_reader) -> None:
    reader = make_reader(db_url, redis_url)
    wait_subscribed(reader)

    async def main() -> None:
        assert (await reader.aget("acme", G, locale="de_CH")).template == "Grüezi"
        assert (await reader.aget("acme", G, locale="de_CH")).source == "memory"
        assert await reader.arender("acme", G, {}, locale="de") == "Hallo"

    asyncio.run(main())


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "no-redis"])
def test_one_reader_renders_every_language_in_turn(publisher: Publisher, db_url: str,
                                                   redis_url: str, make_reader,
                                                   with_redis: bool) -> None:
    # Right after a sync a base text and its translations share brand, type, version and
    # commit: a render cache keyed by those served whichever language was rendered first.
    publisher.apply({"default/greeting": ("Hello {{ user_name }}", 1),
                     "default/greeting.de": ("Hallo {{ user_name }}", 1),
                     "default/greeting.fr": ("Bonjour {{ user_name }}", 1)},
                    {"user_name": {"type": "string", "required": False, "default": "du"}},
                    base_language="en")
    reader = make_reader(db_url, redis_url if with_redis else None)
    context = {"user_name": "Dana"}
    expected = {None: "Hello Dana", "de": "Hallo Dana", "fr": "Bonjour Dana",
                "de-CH": "Hallo Dana", "fr-CA": "Bonjour Dana"}
    for _ in range(2):  # the second round answers from memory
        for locale, text in expected.items():
            assert reader.render("acme", G, context, locale=locale) == text, locale
            assert asyncio.run(reader.arender("acme", G, context, locale=locale)) == text
    # The declared default is the same in every language; each text renders its own words.
    assert reader.render("acme", G, {}, locale="fr") == "Bonjour du"
