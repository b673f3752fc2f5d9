"""Checking one file: a pure function of its path, bytes and the rules (so cacheable by blob)."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from promptsync.brands import brand_of_file
from promptsync.model import PromptDoc, PromptId, PromptType, Sample, VariableSpec
from promptsync.sandbox import MAX_TEMPLATE_CHARS
from promptsync.validate import codes
from promptsync.validate.brand_check import check_brand
from promptsync.validate.conflicts import conflict_findings
from promptsync.validate.control_chars import control_characters
from promptsync.validate.finding import Finding, did_you_mean, error
from promptsync.validate.locale_check import locale_keys, malformed_name, replaces_schema_finding
from promptsync.validate.report import FileResult
from promptsync.validate.rules import Rules
from promptsync.validate.schema_check import check_schema
from promptsync.validate.template_check import (
    TemplatePlace,
    check_samples,
    check_template,
    type_matches,
)
from promptsync.validate.variant_check import check_variants
from promptsync.validate.yamldoc import YamlDoc, read_yaml

MAX_FILE_BYTES = 64 * 1024
# What Windows editors write when told to save "Unicode": full of NUL bytes, yet text.
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def check_file(path: str, data: bytes, rules: Rules, blob: str = "") -> FileResult:
    findings: list[Finding] = []
    brand_file = brand_of_file(path) is not None
    prompt_id = None if brand_file else _prompt_id(path, findings)
    text = _decode(path, data, findings)
    if text is None:
        return FileResult(path, tuple(findings))
    conflicts = conflict_findings(path, text)
    if conflicts:  # what YAML would say about the markers is noise beside this
        return FileResult(path, (*findings, *conflicts))
    doc, problems = read_yaml(path, text)
    findings += problems
    if doc is None:
        return FileResult(path, tuple(findings))
    if brand_file:
        return FileResult(path, (*findings, *check_brand(path, doc, rules)))
    if not isinstance(doc.value, dict):
        findings.append(error(path, 1, 1, codes.YAML_NOT_MAPPING,
                              "a prompt file is a mapping of keys (type, version, template, ...)"))
        return FileResult(path, tuple(findings))
    findings += control_characters(path, doc, text)
    findings += [f for f in check_schema(path, doc, rules) if not replaces_schema_finding(f, doc)]
    findings += _type_matches_name(path, doc, prompt_id)
    findings += locale_keys(path, doc, prompt_id)
    prompt = _check_content(path, doc, rules, prompt_id, findings, text.splitlines(), blob)
    if prompt is not None and not any(f.is_error for f in findings):
        return FileResult(path, tuple(findings), prompt)
    return FileResult(path, tuple(findings))


def _prompt_id(path: str, findings: list[Finding]) -> PromptId | None:
    prompt_id = PromptId.from_path(path)
    malformed = malformed_name(path) if prompt_id is None else None
    if malformed is not None:
        findings.append(malformed)
    elif prompt_id is None:
        findings.append(error(path, 1, 1, codes.PATH_INVALID,
                              "a prompt file must be prompts/<brand>/<type>.yaml (or "
                              "<type>.<locale>.yaml for a translation)",
                              _path_hint(path)))
    return prompt_id


def _path_hint(path: str) -> str:
    if path.endswith(".yml"):
        return "use the .yaml ending"
    name = path.rsplit("/", 1)[-1]
    known = [f"{t.slug}.yaml" for t in PromptType]
    if name.lower() in known and name != name.lower():
        return f"did you mean '{name.lower()}'? (file names are lower case)"
    # A misspelt type (farewel.yaml) is a file the daemon would never load: name the right one.
    close = "" if name in known else did_you_mean(name, known, 0.8)
    return close or "brand: lower-case letters, digits and '-'; type: e.g. greeting.yaml"


def _decode(path: str, data: bytes, findings: list[Finding]) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        findings.append(error(path, 1, 1, codes.FILE_TOO_LARGE,
                              f"the file has {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}"))
        return None
    if data.startswith(_WIDE_BOMS):
        findings.append(error(path, 1, 1, codes.FILE_NOT_UTF8,
                              "the file is UTF-16 or UTF-32, not UTF-8", "save the file as UTF-8"))
        return None
    if b"\0" in data:
        findings.append(error(path, 1, 1, codes.FILE_BINARY,
                              "the file holds binary data, not text"))
        return None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # Count characters, not bytes, before the bad byte (the line may hold 'é' or '—').
        column = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
        findings.append(error(path, line, column, codes.FILE_NOT_UTF8,
                              f"the file is not UTF-8 (byte 0x{data[exc.start]:02x})",
                              "save the file as UTF-8"))
        return None


def _type_matches_name(path: str, doc: YamlDoc, prompt_id: PromptId | None) -> list[Finding]:
    declared = doc.value.get("type")
    if prompt_id is None or not isinstance(declared, str) or declared == prompt_id.type.value:
        return []
    if declared not in PromptType.__members__:
        return []  # the schema's enum finding already says it
    line, col = doc.mark(("type",))
    return [error(path, line, col, codes.TYPE_MISMATCH,
                  f"type is {declared} but the file is named {prompt_id.type.slug}.yaml",
                  f"rename the file to {declared.lower()}.yaml or set type: "
                  f"{prompt_id.type.value}")]


def _check_content(path: str, doc: YamlDoc, rules: Rules, prompt_id: PromptId | None,
                   findings: list[Finding], text_lines: list[str], blob: str) -> PromptDoc | None:
    value: dict[str, Any] = doc.value
    template = value.get("template")
    if not isinstance(template, str) or not template.strip() or len(template) > MAX_TEMPLATE_CHARS:
        return None
    declared = _declared(path, doc, findings)
    samples, sample_marks = _samples(path, doc, findings)
    prompt_type = prompt_id.type if prompt_id else _type_of(value)
    place = template_place(path, doc, template, text_lines)
    var_marks = {name: doc.mark(("variables", name), key=True) for name in declared}

    def place_of(key: tuple[str | int, ...], text: str, label: str) -> TemplatePlace:
        return template_place(path, doc, text, text_lines, key, label)

    try:
        variants, used = check_variants(path, doc, place_of, declared, rules, samples, findings)
        found, ast = check_template(place, template, prompt_type, declared, rules, var_marks,
                                    used)
    except RecursionError:
        # Jinja parses recursively: thousands of nested brackets or blocks exhaust the stack.
        found, ast = [error(path, place.line, place.indent + 1, codes.JINJA_SYNTAX,
                            "the template is nested too deeply to read",
                            "flatten the nested brackets, ifs or loops")], None
    findings += found
    if ast is not None and not any(f.is_error for f in found):
        findings += check_samples(place, ast, declared, samples, sample_marks)
    if prompt_id is None or not isinstance(value.get("version"), int):
        return None
    translated_from = value.get("translated_from")
    return PromptDoc(id=prompt_id, version=value["version"], template=template,
                     description=str(value.get("description") or ""),
                     variables=tuple(declared.values()), samples=samples,
                     template_line=place.line, version_line=doc.mark(("version",))[0],
                     translated_from=translated_from if isinstance(translated_from, int) else None,
                     translated_from_line=doc.mark(("translated_from",))[0],
                     locale_line=doc.mark(("locale",))[0], variants=variants,
                     variants_line=doc.mark(("variants",), key=True)[0], blob=blob)


def _type_of(value: Mapping[str, Any]) -> PromptType:
    try:
        return PromptType.parse(str(value.get("type")))
    except ValueError:
        return PromptType.SYSTEM_PROMPT


def _declared(path: str, doc: YamlDoc, findings: list[Finding]) -> dict[str, VariableSpec]:
    raw = doc.value.get("variables")
    declared: dict[str, VariableSpec] = {}
    if not isinstance(raw, dict):
        return declared
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            continue
        default = spec.get("default")
        if default is not None and not type_matches(default, spec["type"]):
            line, col = doc.mark(("variables", name, "default"))
            findings.append(error(path, line, col, codes.VARIABLE_TYPE,
                                  f"the default of '{name}' is {default!r}, not a {spec['type']}"))
        declared[name] = VariableSpec(name, spec["type"], bool(spec.get("required", False)),
                                      default, str(spec.get("description") or ""),
                                      doc.mark(("variables", name), key=True)[0])
    return declared


def _samples(path: str, doc: YamlDoc, findings: list[Finding]
             ) -> tuple[tuple[Sample, ...], dict[int, tuple[int, int]]]:
    """The usable samples, and the place of each (by its index among them, not in the file:
    an item skipped here must not shift the places of those after it)."""
    raw = doc.value.get("samples")
    if not isinstance(raw, list):
        return (), {}
    samples: list[Sample] = []
    marks: dict[int, tuple[int, int]] = {}
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("context", {}), dict):
            continue
        name = str(item.get("name", f"#{i + 1}"))
        mark = doc.mark(("samples", i, "name"))
        if name in seen:
            findings.append(error(path, mark[0], mark[1], codes.SAMPLE_DUPLICATE,
                                  f"two samples are named '{name}'", "give each a unique name"))
        seen.add(name)
        marks[len(samples)] = mark
        samples.append(Sample(name, dict(item.get("context") or {})))
    return tuple(samples), marks


def template_place(path: str, doc: YamlDoc, template: str, text_lines: list[str],
                   key: tuple[str | int, ...] = ("template",),
                   label: str = "the template") -> TemplatePlace:
    """Where the text at `key` (the template, or a variant's) sits in the file (the lines of a
    folded or quoted scalar that spans several lines are in `folded`)."""
    line, col = doc.mark(key)
    lines = tuple(template.splitlines())
    style = doc.styles.get(key)
    if style == "|":
        return TemplatePlace(path, line + 1, _content_indent(text_lines, line), lines,
                             label=label)
    end = _scalar_end(doc, line, len(text_lines), len(key) > 1)
    if style == ">" or (style in ("'", '"') and end > line):
        first = line + 1 if style == ">" else line
        span = tuple((n, text_lines[n - 1]) for n in range(first, end + 1))
        return TemplatePlace(path, first, 0, lines, span, label)
    quoted = style in ("'", '"')
    return TemplatePlace(path, line, col - 1 + (1 if quoted else 0), lines, label=label)


def _scalar_end(doc: YamlDoc, line: int, last_line: int, nested: bool = False) -> int:
    """The last file line of a scalar: before the next top-level key (any key, for a scalar
    inside a list: the next variant's), or the end."""
    later = [mark[0] for key, mark in doc.key_marks.items()
             if (nested or len(key) == 1) and mark[0] > line]
    end = min(later) - 1 if later else last_line
    return max(line, min(end, last_line))


def _content_indent(text_lines: list[str], header_line: int) -> int:
    # A block scalar's value has its indentation removed; the first content line gives it back.
    for raw in text_lines[header_line:]:
        if raw.strip():
            return len(raw) - len(raw.lstrip(" "))
    return 0
