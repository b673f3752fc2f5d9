"""A prompt file's `variants:`: other texts tried on part of the subjects, each checked as the
template is (syntax, sandbox, declared variables, samples rendered), at its own lines.

What the list itself must be: names unique and slug-like (`control` is the file's own template),
weights whole percents adding up to at most 100 (the rest get `control`). The schema says the
shapes; this says what spans items. The variables are the file's, declared once: a variant
that uses one the file does not declare is an error at the variant's line, and a variable that
only a variant uses is not unused.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from promptsync.model import CONTROL, VARIANT_NAME_RE, Sample, VariableSpec, VariantSpec
from promptsync.sandbox import MAX_TEMPLATE_CHARS
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.rules import Rules
from promptsync.validate.template_check import (
    FILE_RENDER_SECONDS,
    TemplatePlace,
    check_samples,
    check_text,
)
from promptsync.validate.yamldoc import YamlDoc

MAX_WEIGHT = 100


def check_variants(path: str, doc: YamlDoc, place_of: Any, declared: Mapping[str, VariableSpec],
                   rules: Rules, samples: tuple[Sample, ...],
                   findings: list[Finding]) -> tuple[tuple[VariantSpec, ...], set[str]]:
    """The usable variants and the variables their texts use; findings go to `findings`.
    `place_of(key)` is where the text at that key path sits in the file."""
    raw = doc.value.get("variants")
    if not isinstance(raw, list):
        return (), set()
    found: list[VariantSpec] = []
    used: set[str] = set()
    seen: set[str] = set()
    total = 0
    deadline = time.monotonic() + FILE_RENDER_SECONDS  # all variants' samples together
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            continue  # the schema says it
        name = _name(path, doc, i, item.get("name"), seen, findings)
        weight = item.get("weight")
        if isinstance(weight, int) and not isinstance(weight, bool) and 0 <= weight <= MAX_WEIGHT:
            total += weight
            if total > MAX_WEIGHT and total - weight <= MAX_WEIGHT:
                line, col = doc.mark(("variants", i, "weight"))
                findings.append(error(path, line, col, codes.VARIANT_WEIGHTS,
                                      f"the variants' weights add up to more than {MAX_WEIGHT} "
                                      f"({total} with '{name or i + 1}')",
                                      "lower the weights: they are percents of the subjects, "
                                      "and the rest get the template (control)"))
        text = item.get("template")
        if not (isinstance(text, str) and text.strip() and len(text) <= MAX_TEMPLATE_CHARS):
            continue  # the schema says it
        place: TemplatePlace = place_of(("variants", i, "template"), text,
                                        f"variant '{name or i + 1}'")
        _check_text(place, text, declared, rules, samples, name, deadline, findings, used)
        if name is not None and isinstance(weight, int):
            found.append(VariantSpec(name, weight, text, str(item.get("description") or ""),
                                     place.line))
    return tuple(found), used


def _name(path: str, doc: YamlDoc, i: int, name: Any, seen: set[str],
          findings: list[Finding]) -> str | None:
    if not isinstance(name, str) or not VARIANT_NAME_RE.fullmatch(name):
        return None  # the schema says it
    line, col = doc.mark(("variants", i, "name"))
    if name == CONTROL:
        findings.append(error(path, line, col, codes.VARIANT_RESERVED,
                              f"'{CONTROL}' names the file's own template; a variant needs "
                              "another name", "e.g. warm, short, v2"))
    elif name in seen:
        findings.append(error(path, line, col, codes.VARIANT_DUPLICATE,
                              f"two variants are named '{name}'", "give each a unique name"))
    seen.add(name)
    return name


def _check_text(place: TemplatePlace, text: str, declared: Mapping[str, VariableSpec],
                rules: Rules, samples: tuple[Sample, ...], name: str | None, deadline: float,
                findings: list[Finding], used: set[str]) -> None:
    found, ast, reads = check_text(place, text, declared, rules)
    findings += found
    used.update(reads)
    if ast is not None and not any(f.is_error for f in found):
        findings += check_samples(place, ast, declared, samples, {},
                                  variant=name or "?", deadline=deadline)
