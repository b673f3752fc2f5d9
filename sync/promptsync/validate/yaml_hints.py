"""PyYAML's syntax errors in words a prompt editor understands.

"did not find expected key" and "mapping values are not allowed here" nearly always mean one
thing: a line indented wrongly, or a value YAML reads as more YAML (a `{{ ... }}` at the start,
a ': ' inside). The place PyYAML gives is where it gave up, often the line after the mistake;
the explanation names the line that needs the change.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_KEY_VALUE = re.compile(r"^(\s*)(?:- )?([^\s#:][^:#]*?):[ \t]+(\S.*?)\s*$")
_BLOCK_HEADER = re.compile(r":[ \t]*[|>][-+0-9]*[ \t]*(#.*)?$")
_START_HINT = ("put the value in quotes, or write '{key}: |' and the text on the lines below, "
               "indented")


class Explained(NamedTuple):
    line: int
    column: int
    message: str
    hint: str


def explain(lines: list[str], problem: str, context: str | None, problem_at: tuple[int, int],
            context_at: tuple[int, int] | None) -> Explained | None:
    """Plain words for the error, at the line to change; None when there are none to add."""
    if context_at is not None and context and "flow" in context and "expected ','" in problem:
        return _unclosed_flow(lines, context_at, "]" if "sequence" in context else "}")
    if context_at is not None and context and "quoted scalar" in context:
        return _unclosed_quote(lines, context_at)
    if "could not find expected ':'" in problem and context_at is not None:
        return _no_colon(lines, context_at[0])
    if "mapping values are not allowed" in problem:
        return _mapping_value(lines, *problem_at)
    if "cannot start any token" in problem:
        return _cannot_start(lines, *problem_at)
    if "did not find expected" in problem or "expected <block end>" in problem:
        return flow_value(lines, problem_at[0]) or _misaligned(lines, problem_at[0])
    return None


def _unclosed_flow(lines: list[str], opened: tuple[int, int], closer: str) -> Explained:
    opener = "[" if closer == "]" else "{"
    what = "list" if closer == "]" else "mapping"
    line, column = opened
    return Explained(line, column, f"YAML syntax: the {what} opened with '{opener}' on line "
                     f"{line} is never closed",
                     f"end it with '{closer}' on the same line (text that starts with "
                     f"'{opener}' needs quotes around it)")


def _unclosed_quote(lines: list[str], opened: tuple[int, int]) -> Explained:
    line, column = opened
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    quote = text[column - 1:column] or '"'
    found = _KEY_VALUE.match(text)
    key = found.group(2) if found else "key"
    return Explained(line, column, f"YAML syntax: the text in quotes that starts on line {line} "
                     f"is never closed with {quote}",
                     f"end it with {quote}, or drop the quotes and write '{key}: |' with the text "
                     "on the lines below, indented")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _above(lines: list[str], number: int) -> int | None:
    """The nearest line before `number` with content (not blank, not only a comment)."""
    for n in range(number - 1, 0, -1):
        text = lines[n - 1].strip()
        if text and not text.startswith("#"):
            return n
    return None


def _no_colon(lines: list[str], number: int) -> Explained:
    line = lines[number - 1] if number <= len(lines) else ""
    above = _above(lines, number)
    if above is not None and _indent(lines[above - 1]) > _indent(line) and \
            _in_block_text(lines, above):
        return Explained(number, _indent(line) + 1,
                         f"YAML syntax: line {number} is indented less than the text above it",
                         f"indent it by {_indent(lines[above - 1])} spaces like line {above} "
                         "to keep it in the text; if it starts a new key, write 'key: value'")
    return Explained(number, _indent(line) + 1,
                     f"YAML syntax: line {number} has no ':' after its key",
                     "write it as 'key: value'; a line that continues the value above must be "
                     "indented more than that value's key")


def _in_block_text(lines: list[str], number: int) -> bool:
    """Whether line `number` is inside a `key: |` (or `>`) text block."""
    indent = _indent(lines[number - 1])
    for n in range(number - 1, 0, -1):
        text = lines[n - 1]
        if text.strip() and _indent(text) < indent:
            return bool(_BLOCK_HEADER.search(text))
    return False


def _mapping_value(lines: list[str], number: int, column: int) -> Explained | None:
    line = lines[number - 1] if number <= len(lines) else ""
    above = _above(lines, number)
    if above is not None and _indent(line) > _indent(lines[above - 1]):
        found = _KEY_VALUE.match(lines[above - 1])
        if found and not _BLOCK_HEADER.search(lines[above - 1]):
            return Explained(number, _indent(line) + 1,
                             f"YAML syntax: line {number} is indented more than line {above}, "
                             f"so YAML reads it as more of the value of '{found.group(2)}'",
                             f"start it in column {_indent(lines[above - 1]) + 1}, like line "
                             f"{above}")
    found = _KEY_VALUE.match(line)
    if found and ": " in found.group(3) + " ":
        return Explained(number, column,
                         f"YAML syntax: the value of '{found.group(2)}' holds ': ', which YAML "
                         "reads as one more key",
                         f"put the whole value in quotes: {found.group(2)}: "
                         f"\"{found.group(3)}\"")
    return None


def _cannot_start(lines: list[str], number: int, column: int) -> Explained | None:
    flow = flow_value(lines, number)
    if flow is not None:
        return flow
    line = lines[number - 1] if number <= len(lines) else ""
    char = line[column - 1:column]
    if not char:
        return None
    found = _KEY_VALUE.match(line)
    return Explained(number, column, f"YAML syntax: a value cannot start with '{char}'",
                     _START_HINT.format(key=found.group(2) if found else "key"))


def flow_value(lines: list[str], number: int) -> Explained | None:
    """A value that starts with `{` (a Jinja `{{ }}` or `{% %}`) is read as a YAML mapping."""
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    found = _KEY_VALUE.match(line)
    if not found or not found.group(3).startswith(("{{", "{%", "{#")):
        return None
    return Explained(number, found.start(3) + 1,
                     f"YAML syntax: the value of '{found.group(2)}' starts with '{{', which YAML "
                     "reads as a mapping", _START_HINT.format(key=found.group(2)))


def _misaligned(lines: list[str], number: int) -> Explained | None:
    if not 0 < number <= len(lines):
        return None
    indent = _indent(lines[number - 1])
    levels = _levels(lines, number)
    if not levels or indent in {column - 1 for _, column in levels}:
        return None
    where = " or ".join(f"line {n} (column {column})" for n, column in levels[:2])
    spaces = f"{indent} space{'s' * (indent != 1)}"
    return Explained(number, indent + 1,
                     f"YAML syntax: line {number} is indented by {spaces}, which lines up "
                     "with no key above it", f"line it up with {where}")


def _levels(lines: list[str], number: int) -> list[tuple[int, int]]:
    """(line, column) of the keys a line could belong beside: the line above, then each less
    indented line further up (a list item's key counts after its '- ')."""
    found: list[tuple[int, int]] = []
    deepest = 1 << 30
    n = _above(lines, number)
    while n is not None and deepest > 0:
        text = lines[n - 1]
        indent = _indent(text)
        if indent < deepest:
            deepest = indent
            columns = [indent + 3, indent + 1] if text.lstrip().startswith("- ") else [indent + 1]
            found += [(n, c) for c in columns if c not in {column for _, column in found}]
        n = _above(lines, n)
    return found
