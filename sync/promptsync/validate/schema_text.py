"""A JSON Schema file of the rules: its parsed value, and the line of each keyword in its text.

`json.loads` keeps no positions; a finding about a `$ref` or a `pattern` must still name its
line, so the keyword is found again in the text, occurrence by occurrence.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from promptsync.tree import SourceFile
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error

_DECODER = json.JSONDecoder()


@dataclass
class SchemaText:
    path: str
    text: str
    value: Any
    _used: Counter[tuple[str, str]] = field(default_factory=Counter)

    def place_of(self, key: str, value: Any) -> tuple[int, int]:
        """(line, column) of the next not yet named occurrence of `"key": value`; of the key
        when `value` is None; (1, 1) when it cannot be found."""
        seen = json.dumps([key, value])
        wanted = self._used[(key, seen)]
        self._used[(key, seen)] += 1
        literal = re.escape(json.dumps(key, ensure_ascii=False))
        count = 0
        for match in re.finditer(rf'(?<!\\){literal}\s*:\s*', self.text):
            if value is not None and _value_at(self.text, match.end()) != value:
                continue
            if count == wanted:
                return self.line_col(match.start())
            count += 1
        return 1, 1

    def line_col(self, offset: int) -> tuple[int, int]:
        line_start = self.text.rfind("\n", 0, offset) + 1
        return self.text.count("\n", 0, offset) + 1, offset - line_start + 1


def _value_at(text: str, offset: int) -> Any:
    try:
        return _DECODER.raw_decode(text, offset)[0]
    except ValueError:
        return None


def load_schema_text(source: SourceFile, *, checked: bool = False,
                     ) -> tuple[SchemaText | None, list[Finding]]:
    """The file parsed and checked against the draft 2020-12 meta-schema, or findings.
    `checked`: the file is known to pass that check (see rules.load_rules), which is then
    skipped, and python-jsonschema (~50 ms to import) is not imported for it."""
    path = source.path
    try:
        text = source.read().decode("utf-8")
        value = json.loads(text)
    except OSError as exc:
        return None, [error(path, 1, 1, codes.RULES_INVALID,
                            f"the file could not be read: {exc.strerror or exc}")]
    except json.JSONDecodeError as exc:
        return None, [error(path, exc.lineno, exc.colno, codes.RULES_INVALID,
                            f"not valid JSON: {exc.msg}")]
    except UnicodeDecodeError as exc:
        return None, [_not_a_schema(path, str(exc))]
    if not checked:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(value)
        except SchemaError as exc:
            return None, [_not_a_schema(path, exc.message)]
    return SchemaText(path, text, value), []


def _not_a_schema(path: str, message: str) -> Finding:
    return error(path, 1, 1, codes.RULES_INVALID, f"not a valid JSON Schema: {message}")
