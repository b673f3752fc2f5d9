"""The words a stale translation's base changed, beside the line diff (pure, no git)."""

from __future__ import annotations

import pytest

from promptsync.validate.base_history import changed_words, diff_lines


@pytest.mark.parametrize(("old", "new", "words"), [
    ("stay dry out there", "stay warm and dry out there", '+"warm and"'),
    ("Have a great day.", "Have a wonderful day.", '-"great" +"wonderful"'),
    ("Hi {{ name }}, bye now.", "Hi {{ name }}.", '-"}}, bye now." +"}}."'),  # split on spaces
    ("a b c d e f g h i j k", "1 b 2 d 3 f 4 h 5 j 6", ""),  # six changes: the diff says it

    ("same", "same", ""),
])
def test_changed_words(old: str, new: str, words: str) -> None:
    assert changed_words(old, new) == words


def test_the_diff_is_indented_under_the_finding() -> None:
    assert diff_lines("a\nstay dry\n", "a\nstay warm and dry\n", 1, 2).splitlines() == [
        "    --- version 1", "    +++ version 2", "    @@ -1,2 +1,2 @@", "     a",
        "    -stay dry", "    +stay warm and dry", '    changed words: +"warm and"']
