"""The schema's references, resolved only inside the repository's schema/ folder.

A `$ref` is an address; given one, jsonschema and jsonschema-rs fetch it (a URL, a file). The
schema comes from a pull request, so CI (before review) and the daemon would read whatever it
names. Every reference is resolved here first, against the schema files of the tree and the
resources they embed; anything else, and anything that is not a schema, is a finding with its
line. The validators then get a registry of exactly these resources that refuses the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin

from promptsync.model import SCHEMA_DIR
from promptsync.tree import SourceFile
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.schema_text import SchemaText, load_schema_text

_REF_KEYWORDS = ("$ref", "$dynamicRef")
if TYPE_CHECKING:
    from referencing import Registry

_OUTSIDE_HINT = f"only files in {SCHEMA_DIR}/ are read: copy the schema there, refer to it by name"


def refuse(uri: str) -> Any:
    """The retriever both validators get: nothing outside the registry is ever fetched."""
    from referencing.exceptions import NoSuchResource  # (referencing: imported when needed)

    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class


@dataclass
class SchemaSet:
    """The main schema and every resource it may reach, by URI."""

    resources: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, SchemaText] = field(default_factory=dict)  # by URI of each file read

    def registry(self) -> Registry[Any]:
        # Only python-jsonschema's validator needs it, and builds it when it must word a finding.
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        pairs = [(uri, Resource.from_contents(doc, default_specification=DRAFT202012))
                 for uri, doc in self.resources.items() if isinstance(doc, dict | bool)]
        return Registry(retrieve=refuse).with_resources(pairs)  # type: ignore[call-arg]

    def files(self) -> list[tuple[str, Any]]:
        """(URI, document) of each file besides the main one, for jsonschema-rs's registry."""
        return [(uri, text.value) for uri, text in self.texts.items() if uri]


def resolve_refs(main: SchemaText, files: Mapping[str, SourceFile], *,
                 checked: bool = False) -> tuple[SchemaSet, list[Finding]]:
    """Every reference of `main` (and of the schema files it reaches), checked (`checked`:
    the files are known to pass the meta-schema, see load_schema_text)."""
    found = SchemaSet()
    by_uri = _file_uris(main, files)
    pending = [("", main)]
    refs: list[tuple[SchemaText, str, str, tuple[int, int]]] = []
    unreadable: set[str] = set()  # already reported by load_schema_text
    findings: list[Finding] = []
    while pending:  # first every file reached, so that a reference may point into any of them
        uri, text = pending.pop()
        found.texts[uri] = text
        _embedded(text.value, uri, found.resources)
        findings += _bad_ids(text, uri)
        for ref, base, where in _refs(text, uri):
            refs.append((text, ref, base, where))
            target = urldefrag(_join(base, ref) or "")[0]
            if target in by_uri:
                loaded, problems = load_schema_text(by_uri.pop(target), checked=checked)
                findings += problems
                if loaded is None:
                    unreadable.add(target)
                else:
                    pending.append((target, loaded))
    for text, ref, base, where in refs:
        absolute = _join(base, ref)
        if absolute is not None and urldefrag(absolute)[0] in unreadable:
            continue
        problem = _problem(ref, absolute, found.resources)
        if problem:
            findings.append(error(text.path, *where, codes.RULES_INVALID, *problem))
    return found, findings


def _file_uris(main: SchemaText, files: Mapping[str, SourceFile]) -> dict[str, SourceFile]:
    """The URI each other schema file answers to: its name beside the main schema."""
    base = _own_id(main.value, "")
    prefix = f"{SCHEMA_DIR}/"
    return {urljoin(base, path.removeprefix(prefix)): f for path, f in files.items()
            if path != main.path and path.startswith(prefix) and path.endswith(".json")}


def _own_id(doc: Any, base: str) -> str:
    own = doc.get("$id") if isinstance(doc, dict) else None
    joined = _join(base, own) if isinstance(own, str) else None
    return urldefrag(joined)[0] if joined is not None else base


def _join(base: str, ref: str) -> str | None:
    """`ref` resolved against `base`; None when it is no URI at all ('http://[::1')."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return None


def _bad_ids(text: SchemaText, uri: str) -> Iterator[Finding]:
    for node, base in schema_nodes(text.value, uri):
        own = node.get("$id")
        if isinstance(own, str) and _join(base, own) is None:
            line, col = text.place_of("$id", own)
            yield error(text.path, line, col, codes.RULES_INVALID,
                        f"$id {own!r} is not a valid URI")


def _embedded(doc: Any, base: str, into: dict[str, Any]) -> None:
    """Register `doc` under `base`, and every subschema carrying an `$id` under its own."""
    into.setdefault(base, doc)
    for node, node_base in schema_nodes(doc, base):
        if node_base != base and isinstance(node, dict) and "$id" in node:
            into.setdefault(node_base, node)


def schema_nodes(doc: Any, base: str) -> Iterator[tuple[Any, str]]:
    """Each schema object in `doc` with the base URI in force there; data keywords skipped."""
    stack = [(doc, base, False)]
    while stack:
        node, node_base, names = stack.pop()
        if isinstance(node, list):
            stack.extend((item, node_base, False) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        if not names:
            node_base = _own_id(node, node_base)
            yield node, node_base
        for key, value in node.items():
            if names or key not in _DATA_KEYWORDS:
                stack.append((value, node_base, not names and key in _NAME_MAPS))


_DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default"})
# Keywords whose value maps names (not keywords) to schemas.
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions",
                        "dependentSchemas"})


def _refs(text: SchemaText, uri: str) -> Iterator[tuple[str, str, tuple[int, int]]]:
    """(reference, base URI, place) of each `$ref` and `$dynamicRef` in the file at `uri`."""
    for node, base in schema_nodes(text.value, uri):
        for keyword in _REF_KEYWORDS:
            ref = node.get(keyword)
            if isinstance(ref, str):
                yield ref, base, text.place_of(keyword, ref)


def _problem(ref: str, absolute: str | None,
             resources: Mapping[str, Any]) -> tuple[str, str] | None:
    if absolute is None:
        return f"$ref {ref!r} is not a valid reference", "write a name in schema/, or '#/...'"
    uri, fragment = urldefrag(absolute)
    if uri not in resources:
        return f"$ref {ref!r} points outside the repository's {SCHEMA_DIR}/ folder", _OUTSIDE_HINT
    doc = resources[uri]
    target = _pointer(doc, fragment) if fragment.startswith("/") or not fragment else \
        _anchor(doc, fragment)
    if target is _NOWHERE:
        return f"$ref {ref!r} points at nothing", "check the path after '#'"
    if not isinstance(target, dict | bool):
        kind = type(target).__name__.replace("str", "text").replace("NoneType", "null")
        return (f"$ref {ref!r} points at {kind} {json.dumps(target)[:40]}, not a schema",
                "a $ref must point at a schema: an object, true or false")
    return None


_NOWHERE = object()


def _pointer(doc: Any, pointer: str) -> Any:
    node = doc
    for part in pointer.split("/")[1:]:
        key = unquote(part).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _NOWHERE
    return node


def _anchor(doc: Any, name: str) -> Any:
    for node, _ in schema_nodes(doc, ""):
        if name in (node.get("$anchor"), node.get("$dynamicAnchor")):
            return node
    return _NOWHERE
