"""Read one YAML document into plain values, keeping the line and column of every key and value.

Built from the parser's event stream (libyaml when available) rather than `yaml.safe_load` so
that anchors and aliases (the YAML bomb), duplicate keys and runaway nesting are findings with a
place, and no object is ever expanded or constructed beyond plain scalars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from promptsync.lru import LRU
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.yaml_hints import explain, flow_value

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 20
Path = tuple[str | int, ...]
_RESOLVER = yaml.resolver.Resolver()
_COLLECTION_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})
# Untagged plain scalars seen before (keys, types, short values) and what they resolved to:
# resolving runs a dozen regexes, and the values are immutable, so one answer serves all files.
_PLAIN_SCALARS: LRU[str, Any] = LRU(4096)
_MISSING = object()
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_DocumentStart, _Alias, _Scalar = yaml.DocumentStartEvent, yaml.AliasEvent, yaml.ScalarEvent
_SequenceStart, _SequenceEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_MappingEnd = yaml.MappingEndEvent


@dataclass
class YamlDoc:
    """The document's value, and (line, column) from 1 of each value and each mapping key."""

    value: Any = None
    value_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    styles: dict[Path, str | None] = field(default_factory=dict)

    def mark(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The place of `path`, or of its nearest ancestor that has one."""
        marks = self.key_marks if key else self.value_marks
        while path:
            if path in marks:
                return marks[path]
            path = path[:-1]
        return self.value_marks.get((), (1, 1))


class _Stop(Exception):
    """Raised inside the builder once a fatal finding has been recorded."""


def _at(mark: Any) -> tuple[int, int]:
    return (int(mark.line) + 1, int(mark.column) + 1)


class _Builder:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.doc = YamlDoc()
        self.findings: list[Finding] = []
        self.constructor = SafeConstructor()

    def fail(self, where: tuple[int, int], code: str, message: str, hint: str = "") -> _Stop:
        self.findings.append(error(self.path, where[0], where[1], code, message, hint))
        return _Stop()

    # The parser (libyaml's or PyYAML's) makes events of exactly these classes: comparing the
    # class is one pointer test where isinstance walks the class hierarchy, on every event.
    def build(self, events: Any) -> None:
        documents = 0
        for event in events:
            if type(event) is _DocumentStart:
                documents += 1
                if documents > 1:
                    raise self.fail(_at(event.start_mark), codes.YAML_MULTIPLE_DOCUMENTS,
                                    "a prompt file holds one YAML document; remove the '---'")
            elif isinstance(event, yaml.NodeEvent):
                self.doc.value = self.node(event, events, (), 1)

    def node(self, event: Any, events: Any, path: Path, depth: int) -> Any:
        mark = event.start_mark
        where = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is _Alias or event.anchor:
            raise self.fail(where, codes.YAML_ANCHOR,
                            "YAML anchors and aliases (&name, *name) are not allowed",
                            "write the value out in full")
        if depth > MAX_DEPTH:
            raise self.fail(where, codes.YAML_TOO_DEEP,
                            f"values are nested more than {MAX_DEPTH} levels deep")
        self.doc.value_marks[path] = where
        if kind is _Scalar:
            self.doc.styles[path] = event.style
            return self.scalar(event, where)
        if event.tag not in _COLLECTION_TAGS:
            # e.g. `!!python/object/apply:os.system [...]`: never construct, never ignore.
            raise self.fail(where, codes.YAML_SYNTAX, f"the YAML tag {event.tag!r} is not "
                            "allowed here", "use plain lists and mappings")
        if kind is _SequenceStart:
            return self.sequence(events, path, depth)
        return self.mapping(events, path, depth)

    def scalar(self, event: Any, where: tuple[int, int]) -> Any:
        tag = event.tag
        if tag is None:
            if not event.implicit[0]:
                return event.value  # quoted or block scalar, untagged: text by YAML's own rule
            known = _PLAIN_SCALARS.get(event.value, _MISSING)
            if known is not _MISSING:
                return known
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit)
        if tag not in _PLAIN_TAGS:
            raise self.fail(where, codes.YAML_SYNTAX, f"the YAML tag {event.tag or tag!r} is "
                            "not allowed here", "use plain text, numbers and true/false")
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        try:
            value = self.constructor.construct_object(node)
        except (ConstructorError, ValueError) as exc:
            raise self.fail(where, codes.YAML_SYNTAX, f"bad value: {exc}") from None
        if event.tag is None and len(event.value) <= 64:
            _PLAIN_SCALARS.put(event.value, value)
        return value

    def sequence(self, events: Any, path: Path, depth: int) -> list[Any]:
        items: list[Any] = []
        for event in events:
            if type(event) is _SequenceEnd:
                return items
            items.append(self.node(event, events, (*path, len(items)), depth + 1))
        return items

    def mapping(self, events: Any, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_marks = self.doc.key_marks
        for event in events:
            kind = type(event)
            if kind is _MappingEnd:
                return result
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1)
            if kind is not _Scalar or event.anchor:
                self.node(event, events, (*path, "?"), depth + 1)  # reports anchors first
                # `template: {{ name }}` is a mapping whose key is a mapping: say why.
                flow = flow_value(self.text.splitlines(), where[0])
                if flow is not None:
                    raise self.fail((flow.line, flow.column), codes.YAML_SYNTAX, flow.message,
                                    flow.hint)
                raise self.fail(where, codes.YAML_SYNTAX, "a key must be plain text")
            key = str(self.scalar(event, where))
            at = (*path, key)
            if key in result:
                first = key_marks[at]
                raise self.fail(where, codes.YAML_DUPLICATE_KEY,
                                f"the key '{key}' appears twice (first at line {first[0]})",
                                "keep one of them")
            key_marks[at] = where
            result[key] = self.node(next(events), events, at, depth + 1)
        return result


def read_yaml(path: str, text: str) -> tuple[YamlDoc | None, list[Finding]]:
    """Parse `text`; on any problem return None and the findings that say where."""
    builder = _Builder(path, text)
    try:
        builder.build(iter(yaml.parse(text, Loader=_Loader)))
    except _Stop:
        return None, builder.findings
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_finding(path, text, exc)]
    except yaml.YAMLError as exc:
        return None, [error(path, 1, 1, codes.YAML_SYNTAX, f"not valid YAML: {exc}")]
    except RecursionError:
        return None, [error(path, 1, 1, codes.YAML_TOO_DEEP, "values are nested too deeply")]
    return builder.doc, builder.findings


def _syntax_finding(path: str, text: str, exc: yaml.MarkedYAMLError) -> Finding:
    lines = text.splitlines()
    mark = exc.problem_mark or exc.context_mark
    if mark is not None and mark.line >= len(lines) and exc.context_mark is not None:
        mark = exc.context_mark  # the problem is the end of the file: point at what is unclosed
    line, column = (_at(mark) if mark else (1, 1))
    line = min(line, max(len(lines), 1))
    problem = exc.problem or "not valid YAML"
    if "nesting depth" in problem:
        return error(path, line, column, codes.YAML_TOO_DEEP,
                     f"values are nested more than {MAX_DEPTH} levels deep")
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in source_line[: max(column, 1)] or "'\\t'" in problem:
        return error(path, line, column, codes.YAML_TAB, "a tab character is used for "
                     "indentation; YAML needs spaces", "indent with spaces")
    context_at = _at(exc.context_mark) if exc.context_mark is not None else None
    plain = explain(lines, problem, exc.context, (line, column), context_at)
    if plain is not None:
        return error(path, plain.line, plain.column, codes.YAML_SYNTAX, plain.message, plain.hint)
    context = f" ({exc.context})" if exc.context else ""
    return error(path, line, column, codes.YAML_SYNTAX, f"YAML syntax: {problem}{context}")
