"""Rendering: declared defaults, the compiled-template cache, and failures that never raise."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from prometheus_client import REGISTRY

from promptsync import PromptType
from promptsync.defaults import SAFE_TEXT, builtin
from promptsync.reader.notices import Notices
from promptsync.reader.render import PromptRenderer
from tests.reader.conftest import GREETING_VARS, wait_until
from tests.support.publisher import Publisher

pytestmark = pytest.mark.timeout(60)
GREETING = PromptType.GREETING


@pytest.fixture
def reader(publisher: Publisher, db_url: str, redis_url: str, make_reader) -> Any:
    return make_reader(db_url, redis_url)


def render_failures(type_: str) -> float:
    return REGISTRY.get_sample_value("promptsync_reader_render_failures_total",
                                     {"type": type_}) or 0.0


def test_defaults_fill_optional_variables(publisher: Publisher, reader) -> None:
    publisher.apply({"acme/greeting": ("Hi {{ user_name }}, this is {{ brand_name }}.", 1)},
                    GREETING_VARS)
    assert reader.render("acme", GREETING, {"brand_name": "Acme"}) == "Hi there, this is Acme."
    assert reader.render("acme", GREETING, {"brand_name": "Acme", "user_name": "Dana"}) == \
        "Hi Dana, this is Acme."


def test_missing_required_variable_gives_the_builtin(publisher: Publisher, reader,
                                                     caplog) -> None:
    publisher.apply({"acme/greeting": ("Hi {{ user_name }}, this is {{ brand_name }}.", 1)},
                    GREETING_VARS)
    before = render_failures("GREETING")
    with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
        texts = [reader.render("acme", GREETING, {"user_name": "Dana"}) for _ in range(3)]
    assert texts == ["Hi Dana, welcome to our support chat! How can I help you today?"] * 3
    assert render_failures("GREETING") == before + 3
    warned = [r for r in caplog.records if "cannot render acme/greeting" in r.getMessage()]
    assert len(warned) == 1 and "brand_name" in warned[0].getMessage()


@pytest.mark.parametrize("template", [
    "Hi {{ user_name | no_such_filter }}",       # compile error
    "Hi {% if %}",                                # syntax error
    "Hi {{ 1 / 0 }}",                             # runtime error
    "Hi {{ undeclared_variable }}",               # StrictUndefined
    "{{ ''.__class__ }}",                         # sandbox refusal
    "{% for i in range(99999) %}{{ 'x' * 99 }}{% endfor %}",  # output over the limit
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",  # silent
])
def test_template_that_fails_to_render_gives_the_builtin(publisher: Publisher, reader,
                                                         template: str) -> None:
    publisher.apply({"acme/farewell": (template, 7)})
    assert reader.get("acme", PromptType.FAREWELL).template == template
    text = reader.render("acme", PromptType.FAREWELL, {"user_name": "Dana"})
    assert text == "Thanks for chatting with us, Dana! If anything else comes up, just send " \
        "a message. Have a great day."


def test_when_even_the_builtin_fails_a_fixed_text(publisher: Publisher, reader) -> None:
    class Hostile(str):  # a string to the type check, a failure when printed
        def __str__(self) -> str:
            raise RuntimeError("no")

    publisher.apply({"acme/greeting": ("Hi {{ user_name }}", 1)}, GREETING_VARS)
    text = reader.render("acme", GREETING, {"user_name": Hostile(), "brand_name": "Acme"})
    assert text == SAFE_TEXT[GREETING]
    assert reader.render("acme", GREETING, None) == \
        "Hi there, welcome to our support chat! How can I help you today?"
    not_a_mapping: Any = ["not", "a", "mapping"]
    assert reader.render("acme", GREETING, not_a_mapping) == SAFE_TEXT[GREETING]


HANDOFF_VARS = {
    "user_name": {"type": "string", "required": False, "default": "there"},
    "is_returning": {"type": "boolean", "required": False, "default": False},
    "queue_position": {"type": "integer", "required": False, "default": None},
    "estimated_wait_minutes": {"type": "number", "required": False, "default": None},
}
HANDOFF = ("{% if is_returning %}Welcome back{% else %}Hello{% endif %} {{ user_name }}"
           "{% if queue_position is defined %}, #{{ queue_position + 1 }} next{% endif %}"
           "{% if estimated_wait_minutes is defined %}, {{ estimated_wait_minutes * 2 }} min"
           "{% endif %}.")


@pytest.mark.parametrize(("context", "text"), [
    ({"is_returning": "no"}, "Hello there."),
    ({"is_returning": " False "}, "Hello there."),
    ({"is_returning": "0"}, "Hello there."),
    ({"is_returning": 0}, "Hello there."),
    ({"is_returning": "yes"}, "Welcome back there."),
    ({"is_returning": True}, "Welcome back there."),
    ({"is_returning": "maybe"}, "Hello there."),         # dropped: the default (false) applies
    ({"queue_position": "3"}, "Hello there, #4 next."),
    ({"queue_position": 3.0}, "Hello there, #4 next."),
    ({"queue_position": "three"}, "Hello there."),       # dropped: no default, not defined
    ({"queue_position": True}, "Hello there."),
    ({"estimated_wait_minutes": "2.5"}, "Hello there, 5.0 min."),
    ({"estimated_wait_minutes": "nan"}, "Hello there."),
    ({"user_name": 42}, "Hello 42."),
    ({"user_name": None}, "Hello there."),               # not "Hello None."
    ({"user_name": ["Dana"]}, "Hello there."),
])
def test_declared_types_apply_to_the_context(publisher: Publisher, reader,
                                             context: dict[str, Any], text: str) -> None:
    publisher.apply({"acme/handoff": (HANDOFF, 1)}, HANDOFF_VARS)
    assert reader.render("acme", PromptType.HANDOFF, context) == text


def test_a_wrongly_typed_value_warns_once_per_variable_and_cause(publisher: Publisher, reader,
                                                                 caplog) -> None:
    publisher.apply({"acme/handoff": (HANDOFF, 1)}, HANDOFF_VARS)
    with caplog.at_level(logging.WARNING, logger="promptsync.reader"):
        for _ in range(3):
            reader.render("acme", PromptType.HANDOFF, {"is_returning": "no"})
            reader.render("acme", PromptType.HANDOFF, {"is_returning": "maybe"})
            reader.render("acme", PromptType.HANDOFF, {"is_returning": "no", "user_name": None})
    warned = sorted(r.getMessage() for r in caplog.records)
    assert warned == [
        "acme/handoff: variable 'is_returning' is declared boolean but got a str; "
        "dropped it (the declared default applies)",
        "acme/handoff: variable 'is_returning' is declared boolean but got a str; "
        "used it as boolean",
        "acme/handoff: variable 'user_name' is declared string but got a NoneType; "
        "dropped it (the declared default applies)",
    ]


def test_compiled_templates_are_cached_per_text(publisher: Publisher, reader) -> None:
    publisher.apply({"acme/greeting": ("one {{ user_name }}", 1)}, GREETING_VARS)
    renderer = reader._renderer._renderer
    assert reader.render("acme", GREETING, {"brand_name": "A"}) == "one there"
    first = {key: renderer._cache.get(key) for key in renderer._cache}
    assert reader.render("acme", GREETING, {"brand_name": "A", "user_name": "B"}) == "one B"
    # Same version: no second compile.
    assert {key: renderer._cache.get(key) for key in renderer._cache} == first
    publisher.apply({"acme/greeting": ("two {{ user_name }}", 2)}, GREETING_VARS)
    assert wait_until(lambda: reader.get("acme", GREETING).version == 2)
    assert reader.render("acme", GREETING, {"brand_name": "A"}) == "two there"
    assert len(renderer._cache) == len(first) + 1


def test_builtin_prompts_render_without_context() -> None:
    renderer = PromptRenderer(Notices())
    for type_ in PromptType:
        text = renderer.render(builtin(type_), {})
        assert text.strip() and "{{" not in text


def test_a_render_leaves_the_callers_context_as_it_was() -> None:
    # Without declared defaults the renderer hands the caller's mapping to Jinja uncopied.
    template = ("{% set user_name = 'x' %}{% for i in items %}{% set brand_name = i %}{{ i }}"
                "{% endfor %}{% macro m(a) %}{% set items = 1 %}{{ a }}{% endmacro %}{{ m(3) }}"
                "{% set items = [] %}{{ user_name }}{{ items }}")
    prompt = builtin(GREETING)._replace(template=template, variables={}, version=99)
    context = {"items": [1, 2], "user_name": "Dana", "brand_name": "Acme"}
    assert PromptRenderer(Notices()).render(prompt, context) == "123x[]"
    assert context == {"items": [1, 2], "user_name": "Dana", "brand_name": "Acme"}
