"""The file an edit writes for a translation: its locale and what it was translated from."""

from __future__ import annotations

import yaml

from promptsync.edit.document import build
from promptsync.edit.request import Fields
from promptsync.model import PromptId

ITALIAN = PromptId.parse("northwind/greeting.it")


def test_a_new_translation_says_its_locale_and_base_version_first() -> None:
    text = build(ITALIAN, None, Fields("Ciao!\n", translated_from=3), 1).decode()
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys[:4] == ["type", "locale", "translated_from", "version"]
    assert yaml.safe_load(text) == {"type": "GREETING", "locale": "it", "translated_from": 3,
                                    "version": 1, "template": "Ciao!\n"}


def test_an_edit_keeps_translated_from_unless_it_is_given() -> None:
    first = build(ITALIAN, None, Fields("Ciao!\n", translated_from=3), 1)
    kept = yaml.safe_load(build(ITALIAN, first, Fields("Salve!\n"), 2))
    assert (kept["translated_from"], kept["version"], kept["template"]) == (3, 2, "Salve!\n")
    moved = yaml.safe_load(build(ITALIAN, first, Fields("Salve!\n", translated_from=4), 2))
    assert moved["translated_from"] == 4
