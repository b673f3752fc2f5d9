"""The per-file checks of the language keys: `locale:` and `translated_from:` belong in a
translation (`prompts/<brand>/<type>.<locale>.yaml`) and nowhere else, and the file's `locale:`
is the tag its name spells. Pure functions of one file, like every per-file check; what needs
the base file or the brand's declarations is in `translations`."""

from __future__ import annotations

from promptsync.locale import LocaleError, is_canonical, normalize
from promptsync.model import BRAND_RE, PROMPTS_DIR, PromptId, PromptType
from promptsync.validate import codes
from promptsync.validate.finding import Finding, error
from promptsync.validate.yamldoc import YamlDoc

TAG_SHAPE = "a locale tag like de, de-CH or pt-BR (language lower case, region upper case)"


def locale_keys(path: str, doc: YamlDoc, prompt_id: PromptId | None) -> list[Finding]:
    if prompt_id is None:
        return []
    if prompt_id.locale:
        return _translation_keys(path, doc, prompt_id)
    return _base_keys(path, doc, prompt_id)


def replaces_schema_finding(finding: Finding, doc: YamlDoc) -> bool:
    """The schema's pattern finding about `locale:`, which `locale_keys` says better."""
    return finding.code == codes.SCHEMA_PREFIX + "pattern" and \
        (finding.line, finding.column) == doc.mark(("locale",))


def _translation_keys(path: str, doc: YamlDoc, prompt_id: PromptId) -> list[Finding]:
    findings: list[Finding] = []
    name = path.rsplit("/", 1)[-1]
    if "locale" not in doc.value:
        line, col = doc.mark(("type",), key=True)
        findings.append(error(path, line, col, codes.LOCALE_MISSING,
                              f"{name} is a translation, so it says its locale",
                              f"add the line locale: {prompt_id.locale}"))
    elif isinstance(doc.value["locale"], str):
        findings += _locale_value(path, doc, prompt_id, doc.value["locale"])
    if "translated_from" not in doc.value:
        line, col = doc.mark(("type",), key=True)
        findings.append(error(path, line, col, codes.TRANSLATED_FROM_MISSING,
                              f"{name} is a translation, so it says which version of "
                              f"{prompt_id.base.path} it was translated from",
                              "add the line translated_from: <that file's version>"))
    return findings


def _locale_value(path: str, doc: YamlDoc, prompt_id: PromptId, value: str) -> list[Finding]:
    line, col = doc.mark(("locale",))
    if is_canonical(value):
        if value == prompt_id.locale:
            return []
        return [error(path, line, col, codes.LOCALE_MISMATCH,
                      f"locale is {value} but the file name says {prompt_id.locale}",
                      f"set locale: {prompt_id.locale}, or rename the file to "
                      f"{prompt_id.type.slug}.{value}.yaml")]
    try:
        hint = f"write it as {normalize(value)}"
    except LocaleError:
        hint = f"the file name says {prompt_id.locale}"
    return [error(path, line, col, codes.LOCALE_MALFORMED,
                  f"locale {value!r} is not {TAG_SHAPE}", hint)]


def _base_keys(path: str, doc: YamlDoc, prompt_id: PromptId) -> list[Finding]:
    findings = []
    for key, code in (("locale", codes.LOCALE_IN_BASE),
                      ("translated_from", codes.TRANSLATED_FROM_IN_BASE)):
        if key in doc.value:
            line, col = doc.mark((key,), key=True)
            findings.append(error(
                path, line, col, code,
                f"'{key}' belongs in a translation, not in the base text {prompt_id.type.slug}"
                f".yaml (its language is the one prompts/{prompt_id.brand}/brand.yaml declares)",
                f"remove the line, or move the text to {prompt_id.type.slug}.<locale>.yaml"))
    return findings


def file_name_tag(path: str) -> tuple[str, str] | None:
    """(type slug, tag) of a file named like a translation whose tag is not canonical
    (`greeting.de_CH.yaml`, `greeting.DE.yaml`), else None."""
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != PROMPTS_DIR or not BRAND_RE.fullmatch(parts[1]) \
            or not parts[2].endswith(".yaml"):
        return None
    slug, dot, tag = parts[2][: -len(".yaml")].partition(".")
    if not dot or is_canonical(tag) or slug.upper() not in PromptType.__members__ \
            or slug != slug.lower():
        return None
    return slug, tag


def malformed_name(path: str) -> Finding | None:
    """A translation's file name with a tag spelt another way: the one spelling to use."""
    found = file_name_tag(path)
    if found is None:
        return None
    slug, tag = found
    try:
        hint = f"rename the file to {slug}.{normalize(tag)}.yaml"
    except LocaleError:
        hint = f"name a translation <type>.<locale>.yaml, e.g. {slug}.de.yaml or {slug}.de-CH.yaml"
    return error(path, 1, 1, codes.LOCALE_MALFORMED,
                 f"{tag!r} in the file name is not {TAG_SHAPE}", hint)
