"""The check of a brand file, `prompts/<brand>/brand.yaml`: schema/brand.schema.json, and each
tag spelt the one way (the runtime reads the file leniently, see promptsync.brands, so a tag it
cannot read must be an error here, not a silently missing locale)."""

from __future__ import annotations

from promptsync.locale import LocaleError, is_canonical, normalize
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.locale_check import TAG_SHAPE
from promptsync.validate.rules import BRAND_SCHEMA_PATH, Rules
from promptsync.validate.schema_check import check_against
from promptsync.validate.yamldoc import YamlDoc


def check_brand(path: str, doc: YamlDoc, rules: Rules) -> list[Finding]:
    if not isinstance(doc.value, dict):
        return [error(path, 1, 1, codes.YAML_NOT_MAPPING,
                      "a brand file is a mapping of keys (language, locales)")]
    if rules.brand_validator is None:
        return [error(path, 1, 1, codes.RULES_INVALID,
                      f"{BRAND_SCHEMA_PATH} is missing or broken; brand files are checked "
                      "against it", f"restore {BRAND_SCHEMA_PATH}")]
    tags = list(_tags(path, doc))
    places = {(f.line, f.column) for f in tags}
    schema = [f for f in check_against(path, doc, rules.brand_validator)
              if not (f.code == codes.SCHEMA_PREFIX + "pattern" and (f.line, f.column) in places)]
    return schema + tags


def _tags(path: str, doc: YamlDoc) -> list[Finding]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    value = doc.value
    if isinstance(value.get("language"), str):
        found.append((("language",), value["language"]))
    if isinstance(value.get("locales"), list):
        found += [(("locales", i), tag) for i, tag in enumerate(value["locales"])
                  if isinstance(tag, str)]
    findings = []
    for where, tag in found:
        if is_canonical(tag):
            continue
        line, col = doc.mark(where)
        try:
            hint = f"write it as {normalize(tag)}"
        except LocaleError:
            hint = ""
        findings.append(error(path, line, col, codes.LOCALE_MALFORMED,
                              f"{tag!r} is not {TAG_SHAPE}", hint))
    return findings
