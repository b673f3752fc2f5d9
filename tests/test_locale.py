"""Locale tags and the one lookup order."""

from __future__ import annotations

import pytest

from promptsync.core.resolution import is_language_fallback, lookup_order, resolve
from promptsync.locale import LocaleError, chain, is_canonical, language, normalize
from promptsync.model import PromptId, PromptType


@pytest.mark.parametrize("given, tag", [
    ("de", "de"), ("DE", "de"), ("de_CH", "de-CH"), ("DE-ch", "de-CH"), ("de-ch", "de-CH"),
    ("pt_br", "pt-BR"), ("es-419", "es-419"), ("zh_hant_tw", "zh-Hant-TW"), (" fr ", "fr"),
    ("ZH-HANT", "zh-Hant"), ("gsw", "gsw"),
])
def test_normalize(given: str, tag: str) -> None:
    assert normalize(given) == tag
    assert is_canonical(tag)


@pytest.mark.parametrize("bad", ["", "d", "deutsch", "de-", "de-CHE", "de--CH", "de-C1",
                                 "../de", "de/CH", "de.CH", "12", "de-CH-x", "ü"])
def test_malformed_tags_are_refused(bad: str) -> None:
    with pytest.raises(LocaleError):
        normalize(bad)


def test_a_non_string_is_refused_as_a_tag() -> None:
    with pytest.raises(LocaleError):
        normalize(42)  # type: ignore[arg-type]


def test_chain_and_language() -> None:
    assert chain("zh-Hant-TW") == ("zh-Hant-TW", "zh-Hant", "zh")
    assert chain("de-CH") == ("de-CH", "de")
    assert chain("") == ()
    assert language("de-CH") == "de" and language("") == ""


def test_the_language_comes_before_the_brand() -> None:
    assert lookup_order("acme", "de-CH") == (
        ("acme", "de-CH"), ("acme", "de"), ("default", "de-CH"), ("default", "de"),
        ("acme", ""), ("default", ""))
    assert lookup_order("acme") == (("acme", ""), ("default", ""))
    assert lookup_order("default", "fr") == (("default", "fr"), ("default", ""))


def test_resolve_answers_with_the_first_step_that_has_a_text() -> None:
    texts = {("default", "de"): "Hallo", ("acme", ""): "Hello"}
    assert resolve(lambda b, loc: texts.get((b, loc)), "acme", "de-CH") == (
        ("default", "de"), "Hallo")
    assert resolve(lambda b, loc: texts.get((b, loc)), "acme") == (("acme", ""), "Hello")
    assert resolve(lambda b, loc: None, "acme", "de") is None


def test_language_fallback() -> None:
    assert is_language_fallback("de-CH", "en")
    assert not is_language_fallback("de-CH", "de")
    assert not is_language_fallback("", "en")
    assert is_language_fallback("de", "")  # a base text of unknown language


def test_a_prompt_id_carries_its_locale() -> None:
    tr = PromptId.parse("acme/greeting.de_ch")
    assert tr == PromptId("acme", PromptType.GREETING, "de-CH")
    assert str(tr) == "acme/greeting.de-CH" and tr.path == "prompts/acme/greeting.de-CH.yaml"
    assert PromptId.from_path(tr.path) == tr and tr.base == PromptId.parse("acme/greeting")
    assert PromptId.from_path("prompts/acme/greeting.de_ch.yaml") is None  # not canonical
    assert PromptId.from_path("prompts/acme/brand.yaml") is None
    with pytest.raises(ValueError):
        PromptId.parse("acme/greeting.deutsch")
