"""What a brand says about its languages: `prompts/<brand>/brand.yaml`.

    language: en          # the language of the brand's base texts (prompts/<brand>/<type>.yaml)
    locales: [de, fr]     # the locales it serves besides (translations it should have)

Both keys are optional and so is the file. A brand that does not say inherits what `default`
says; `default` that does not say has a base language nobody knows (""), so any locale asked of
its base text counts as a language fallback. The validator checks the file (schema, tags); this
module only reads it, leniently, because the runtime must never stop on a brand file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from promptsync.locale import LocaleError, chain, normalize
from promptsync.model import BRAND_RE, DEFAULT_BRAND, PROMPTS_DIR

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

BRAND_FILE = "brand.yaml"


@dataclass(frozen=True)
class BrandInfo:
    """A brand's declared base language ("" when unknown) and locales (None when undeclared)."""

    language: str = ""
    locales: tuple[str, ...] | None = None

    def serves(self, tag: str) -> bool:
        """Whether `tag` (canonical) is a locale this brand declares, or a region of one
        (declaring `de` covers `de-CH`); any tag when the brand declares none."""
        if self.locales is None:
            return True
        return any(t in self.locales for t in chain(tag)) or tag == self.language


def brand_file_path(brand: str) -> str:
    return f"{PROMPTS_DIR}/{brand}/{BRAND_FILE}"


def brand_of_file(path: str) -> str | None:
    """The brand whose brand.yaml is at `path`, or None when `path` is not a brand file."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == PROMPTS_DIR and parts[2] == BRAND_FILE \
            and BRAND_RE.fullmatch(parts[1]):
        return parts[1]
    return None


def parse(data: bytes) -> BrandInfo:
    """The declared language and locales; whatever is not a valid tag is left out (the
    validator reports it with its line)."""
    try:
        # libyaml's parser with the safe constructor: yaml.safe_load's pure-Python parser took
        # 1.2 ms a file, read for every brand at a first load.
        raw: Any = yaml.load(data.decode("utf-8"), Loader=_SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError):
        return BrandInfo()
    if not isinstance(raw, Mapping):
        return BrandInfo()
    language = _tag(raw.get("language"))
    locales = raw.get("locales")
    declared = None
    if isinstance(locales, list):
        declared = tuple(t for t in (_tag(x) for x in locales) if t)
    return BrandInfo(language, declared)


def effective(infos: Mapping[str, BrandInfo], brand: str) -> BrandInfo:
    """What holds for `brand`: its own declarations, each missing one taken from `default`."""
    own = infos.get(brand, BrandInfo())
    if brand == DEFAULT_BRAND:
        return own
    base = infos.get(DEFAULT_BRAND, BrandInfo())
    return BrandInfo(own.language or base.language,
                     own.locales if own.locales is not None else base.locales)


def read_all(files: Iterable[tuple[str, bytes]]) -> dict[str, BrandInfo]:
    """The brand files among (path, bytes) pairs, parsed, by brand."""
    out = {}
    # Most brands declare the same few lines: the same bytes are parsed once (a BrandInfo is
    # immutable). 11,000 brand files of a repository of 100,000 prompts took 2 s with libyaml.
    parsed: dict[bytes, BrandInfo] = {}
    for path, data in files:
        brand = brand_of_file(path)
        if brand is not None:
            info = parsed.get(data)
            if info is None:
                info = parsed[data] = parse(data)
            out[brand] = info
    return out


def _tag(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return normalize(value)
    except LocaleError:
        return ""
