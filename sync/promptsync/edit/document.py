"""The new file of an edit: the current file with only the changed fields replaced.

ruamel.yaml's round-trip mode keeps what editors wrote around the fields they did not change:
comments, key order, quoting, flow mappings (every file of the project comes back byte for byte).
A changed template is written as a literal block (`template: |`), as people write it. The result
is parsed again and compared with what was asked; should the round trip ever disagree (a file
with YAML ruamel reads otherwise than PyYAML), the file is written afresh from its values.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import LiteralScalarString

from promptsync.edit.request import Fields
from promptsync.model import PromptId
from promptsync.versionline import set_version

HEADER = "# yaml-language-server: $schema=../../schema/prompt.schema.json\n"
_ORDER = ("type", "locale", "translated_from", "version", "description", "variables", "template",
          "variants", "samples")


def _yaml() -> YAML:
    # One per call: a ruamel YAML object keeps state between dumps and is not thread-safe.
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never fold a long description onto two lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def build(prompt: PromptId, current: bytes | None, fields: Fields, version: int) -> bytes:
    """The bytes of `prompt`'s file at `version` with `fields` applied to `current` (None: a
    new file)."""
    wanted = _wanted(fields)
    if current is not None:
        edited = _round_trip(current, wanted)
        if edited is not None and _says(edited, wanted):
            return set_version(edited, version)
    fresh = _fresh(prompt, current, wanted, version, literal=True)
    if _says(fresh, wanted):
        return fresh
    return _fresh(prompt, current, wanted, version, literal=False)


def _wanted(fields: Fields) -> dict[str, Any]:
    values: dict[str, Any] = {"template": fields.template, "description": fields.description,
                              "variables": fields.variables, "samples": fields.samples,
                              "translated_from": fields.translated_from,
                              "variants": fields.variants}
    return {key: value for key, value in values.items() if value is not None}


def _round_trip(current: bytes, wanted: Mapping[str, Any]) -> bytes | None:
    y = _yaml()
    try:
        doc = y.load(current.decode("utf-8"))
    except (UnicodeDecodeError, RuamelError):
        return None
    if not isinstance(doc, CommentedMap):
        return None
    for key, value in wanted.items():
        if key == "variants" and not value:
            doc.pop(key, None)  # no variants: the key goes, as a file without them has none
        elif _plain(doc.get(key)) != value:
            doc[key] = _node(key, value)
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue().encode("utf-8")


def _fresh(prompt: PromptId, current: bytes | None, wanted: Mapping[str, Any],
           version: int, *, literal: bool) -> bytes:
    """A new file: the current file's values (when it parses) overlaid with `wanted`."""
    values: dict[str, Any] = {"type": prompt.type.value}
    if prompt.locale:
        values["locale"] = prompt.locale
    values.update(_parsed(current))
    values.update(wanted)
    if not values.get("variants"):
        values.pop("variants", None)
    values["version"] = version
    doc = CommentedMap()
    for key in (*_ORDER, *values):
        if key in values and key not in doc:
            doc[key] = _node(key, values[key], literal)
    out = io.StringIO()
    _yaml().dump(doc, out)
    return (HEADER + out.getvalue()).encode("utf-8")


def _parsed(data: bytes | None) -> dict[str, Any]:
    if data is None:
        return {}
    try:
        found = yaml.safe_load(data)
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    return dict(found) if isinstance(found, dict) else {}


def _node(key: str, value: Any, literal: bool = True) -> Any:
    if key == "template" and isinstance(value, str) and literal and _block_safe(value):
        return LiteralScalarString(value)
    if key == "samples" and isinstance(value, list | tuple):
        return CommentedSeq([_sample(s) for s in value])
    if key == "variants" and isinstance(value, list | tuple):
        return CommentedSeq([_variant(v, literal) for v in value])
    return _commented(value)


def _block_safe(text: str) -> bool:
    # A literal block cannot hold every string (a carriage return, say): those are quoted.
    return all(ch.isprintable() or ch in "\n\t" for ch in text) and "\t" not in text[:1]


def _sample(sample: Any) -> Any:
    """A sample as the project writes it: `- name: ...` with its context as a flow mapping."""
    node = _commented(sample)
    context = node.get("context") if isinstance(node, CommentedMap) else None
    if isinstance(context, CommentedMap):
        context.fa.set_flow_style()
    return node


def _variant(variant: Any, literal: bool) -> Any:
    """A variant as people write it: name, weight, description, then its text as a block."""
    node = _commented(variant)
    text = node.get("template") if isinstance(node, CommentedMap) else None
    if isinstance(text, str) and literal and _block_safe(text):
        node["template"] = LiteralScalarString(text)
    return node


def _commented(value: Any) -> Any:
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _commented(item)
        return out
    if isinstance(value, list | tuple):
        return CommentedSeq(_commented(item) for item in value)
    return value


def _plain(value: Any) -> Any:
    """ruamel's round-trip node as plain Python values, to compare with a request's."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def _says(data: bytes, wanted: Mapping[str, Any]) -> bool:
    """Whether PyYAML (what the validator and the daemon read with) reads `wanted` back."""
    parsed = _parsed(data)
    return all(_plain(parsed.get(key)) == _plain(value) or (key == "variants" and not value
                                                              and key not in parsed)
               for key, value in wanted.items())
