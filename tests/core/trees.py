"""Small prompt trees with translations and brand files, and edits of them, for property tests
of the core (Hypothesis strategies) and the gate."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from promptsync.model import PromptType
from tests.support.gitrepo import PROJECT_ROOT

TYPES = (PromptType.GREETING, PromptType.FAREWELL)
BRANDS = ("default", "acme")
LOCALES = ("de", "fr")


def schema_files() -> dict[str, bytes]:
    return {f"schema/{p.name}": p.read_bytes() for p in (PROJECT_ROOT / "schema").iterdir()
            if p.is_file()}


def default_bases() -> dict[str, bytes]:
    """The project's six base texts of brand default (valid, complete)."""
    return {f"prompts/default/{t.slug}.yaml":
            (PROJECT_ROOT / f"prompts/default/{t.slug}.yaml").read_bytes() for t in PromptType}


def prompt(type_: PromptType, version: int, words: str, *, locale: str = "",
           translated_from: int | None = None, variable: str = "brand_name") -> bytes:
    lines = [f"type: {type_.value}"]
    if locale:
        lines.append(f"locale: {locale}")
        if translated_from is not None:
            lines.append(f"translated_from: {translated_from}")
    lines += [f"version: {version}", "variables:", f"  {variable}:", "    type: string",
              "    required: true", "template: |", f"  {words} {{{{ {variable} }}}}",
              "samples:", "  - name: one", f"    context: {{{variable}: Acme}}", ""]
    return "\n".join(lines).encode()


def brand(locales: tuple[str, ...] | None, language: str = "en") -> bytes:
    text = f"language: {language}\n"
    if locales is not None:
        text += f"locales: [{', '.join(locales)}]\n"
    return text.encode()


@dataclass(frozen=True)
class Edit:
    """One change to a tree: paths to new bytes, None to delete."""

    label: str
    changes: dict[str, bytes | None]


def _path(brand_: str, type_: PromptType, locale: str = "", ext: str = "yaml") -> str:
    tail = f".{locale}" if locale else ""
    return f"prompts/{brand_}/{type_.slug}{tail}.{ext}"


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    """An edit an editor might make, good or bad, of the files that relate to each other."""
    type_ = draw(st.sampled_from(TYPES))
    brand_ = draw(st.sampled_from(BRANDS))
    locale = draw(st.sampled_from(LOCALES))
    version = draw(st.integers(1, 4))
    kind = draw(st.sampled_from([
        "base", "base-bad-variable", "delete-base", "translation", "translation-ahead",
        "translation-other-variable", "delete-translation", "brand-locales", "delete-brand",
        "duplicate", "delete-duplicate", "duplicate-upper", "break-template"]))
    base = _path(brand_, type_)
    translation = _path(brand_, type_, locale)
    brand_path = f"prompts/{brand_}/brand.yaml"
    changes: dict[str, bytes | None]
    if kind == "base":
        changes = {base: prompt(type_, version, draw(st.sampled_from(["Hi", "Hello"])))}
    elif kind == "base-bad-variable":
        changes = {base: prompt(type_, version, "Hi", variable="user_name")}
    elif kind == "delete-base":
        changes = {base: None}
    elif kind in ("translation", "translation-ahead", "translation-other-variable"):
        made_from = version + (3 if kind == "translation-ahead" else 0)
        variable = "user_name" if kind == "translation-other-variable" else "brand_name"
        changes = {translation: prompt(type_, 1, "Hallo", locale=locale,
                                       translated_from=made_from, variable=variable)}
    elif kind == "delete-translation":
        changes = {translation: None}
    elif kind == "brand-locales":
        served = draw(st.sampled_from([(), ("de",), ("fr",), ("de", "fr"), None]))
        changes = {brand_path: brand(served)}
    elif kind == "delete-brand":
        changes = {brand_path: None}
    elif kind == "duplicate":
        changes = {_path(brand_, type_, ext="yml"): prompt(type_, 1, "Twin")}
    elif kind == "duplicate-upper":  # sorts before the real file: the finding moves to it
        changes = {f"prompts/{brand_}/{type_.slug.capitalize()}.yaml": prompt(type_, 1, "Twin")}
    elif kind == "delete-duplicate":
        changes = {_path(brand_, type_, ext="yml"): None}
    else:
        changes = {base: b"type: GREETING\nversion: 1\ntemplate: |\n  {% if %}\n"}
    return Edit(f"{kind} {brand_}/{type_.slug} {locale}", changes)


def starting_tree() -> dict[str, bytes]:
    tree = {**schema_files(), **default_bases()}
    tree["prompts/default/brand.yaml"] = brand(("de", "fr"))
    tree["prompts/acme/greeting.yaml"] = prompt(PromptType.GREETING, 1, "Hi")
    tree["prompts/acme/greeting.de.yaml"] = prompt(PromptType.GREETING, 1, "Hallo", locale="de",
                                                   translated_from=1)
    tree["prompts/default/farewell.fr.yaml"] = prompt(PromptType.FAREWELL, 1, "Salut",
                                                      locale="fr", translated_from=1)
    return tree
