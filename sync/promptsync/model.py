"""The vocabulary every part shares: prompt types, prompt ids and the validated prompt record."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from promptsync.locale import is_canonical, normalize

DEFAULT_BRAND = "default"
PROMPTS_DIR = "prompts"
SCHEMA_DIR = "schema"
# What a prompt repository is made of; everything else in it is not ours to read.
TRACKED_DIRS = (PROMPTS_DIR, SCHEMA_DIR)
BRAND_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
Scalar = str | int | float | bool


class PromptType(StrEnum):
    """The six kinds of prompt a brand can define."""

    SYSTEM_PROMPT = "SYSTEM_PROMPT"
    GREETING = "GREETING"
    FAREWELL = "FAREWELL"
    REJECTION = "REJECTION"
    CLARIFICATION = "CLARIFICATION"
    HANDOFF = "HANDOFF"

    @property
    def slug(self) -> str:
        """The lower-case form used in ids and file names (`greeting`)."""
        return self.value.lower()

    @classmethod
    def parse(cls, text: str) -> PromptType:
        """Accept `GREETING`, `greeting` or a PromptType; raise ValueError naming the choices."""
        try:
            return cls(text.upper())
        except ValueError:
            choices = ", ".join(t.value for t in cls)
            raise ValueError(f"unknown prompt type {text!r} (one of {choices})") from None


@dataclass(frozen=True, order=True, slots=True)  # slots: the daemon indexes 100,000 of them
class PromptId:
    """`<brand>/<type>[.<locale>]`, e.g. `acme/greeting` (the brand's base text, stored at
    `prompts/acme/greeting.yaml`) or `acme/greeting.de-CH` (a translation, stored at
    `prompts/acme/greeting.de-CH.yaml`). `locale` is canonical (see promptsync.locale); ""
    is the base text."""

    brand: str
    type: PromptType
    locale: str = ""

    def __str__(self) -> str:
        tail = f".{self.locale}" if self.locale else ""
        return f"{self.brand}/{self.type.slug}{tail}"

    @property
    def path(self) -> str:
        tail = f".{self.locale}" if self.locale else ""
        return f"{PROMPTS_DIR}/{self.brand}/{self.type.slug}{tail}.yaml"

    @property
    def base(self) -> PromptId:
        """The brand's base text of the same type (itself when it is one)."""
        return PromptId(self.brand, self.type) if self.locale else self

    @classmethod
    def parse(cls, text: str) -> PromptId:
        """Parse `acme/greeting` or `acme/greeting.de-CH` (any spelling of the tag); raise
        ValueError with a message fit for a user."""
        brand, sep, rest = text.strip().partition("/")
        if not sep or not BRAND_RE.fullmatch(brand):
            raise ValueError(f"prompt id {text!r} is not <brand>/<type>, e.g. acme/greeting "
                             "or acme/greeting.de")
        type_slug, dot, tag = rest.partition(".")
        return cls(brand, PromptType.parse(type_slug), normalize(tag) if dot else "")

    @classmethod
    def from_path(cls, path: str) -> PromptId | None:
        """The id a repository path stands for, or None when the path is not a prompt file
        (a file name must spell its locale canonically: `greeting.de-CH.yaml`)."""
        return _id_of_path(path) if cls is PromptId else cls._from_path(path)

    @classmethod
    def _from_path(cls, path: str) -> PromptId | None:
        parts = path.split("/")
        if len(parts) != 3 or parts[0] != PROMPTS_DIR or not parts[2].endswith(".yaml"):
            return None
        slug, dot, tag = parts[2][: -len(".yaml")].partition(".")
        if not BRAND_RE.fullmatch(parts[1]) or slug != slug.lower():
            return None
        if dot and not is_canonical(tag):
            return None
        try:
            return cls(parts[1], PromptType.parse(slug), tag)
        except ValueError:
            return None


# The order of PromptId's own comparisons, as a sort key: sorting by it builds one tuple an id,
# where each comparison built two (sorting a first load's 100,000 ids took about 0.6 s).
id_order = operator.attrgetter("brand", "type", "locale")


# A pure function of the path, asked three times a file by a check of the whole tree (the
# index, the validator, the translations): answered once, keyed by the path itself. 131,072
# entries hold 100,000 prompts' paths (at 32,768 a first load of 100,000 missed every time: a
# second of each of four passes); past it, answers are computed as before. A daemon empties
# both after a whole-tree check (forget_paths).
PATH_ANSWERS = 2**17
_id_of_path = functools.lru_cache(maxsize=PATH_ANSWERS)(PromptId._from_path)


@functools.lru_cache(maxsize=PATH_ANSWERS)
def loose_id(path: str) -> PromptId | None:
    """The id a path would claim, accepting .yml, upper case and any spelling of a locale: two
    files with one loose id define one prompt twice."""
    exact = PromptId.from_path(path)
    if exact is not None:
        return exact  # a canonical path is its own loose id, and the index has it already
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != PROMPTS_DIR or not parts[2].endswith((".yaml", ".yml")):
        return None
    stem = parts[2].rsplit(".", 1)[0]
    try:
        return PromptId.parse(f"{parts[1].lower()}/{stem}")
    except ValueError:
        return None


def forget_paths() -> None:
    """Empty the two caches of answers about paths. A check of the whole tree leaves them
    full of its paths' entries, made while its files and results were alive: scattered over
    the memory they took, they keep most of it from going back to the system (43 MB at 40,000
    prompts)."""
    _id_of_path.cache_clear()
    loose_id.cache_clear()


@dataclass(frozen=True)
class VariableSpec:
    """One declared template variable."""

    name: str
    type: str
    required: bool = False
    default: Scalar | None = None
    description: str = ""
    # Where the file declares it, for findings that span files (a translation's variables);
    # not part of what the variable is.
    line: int = field(default=0, compare=False)


_MADE_UP: dict[str, Scalar] = {"string": "example", "integer": 1, "number": 1.5,
                               "boolean": True}


def made_up_values(variables: Iterable[VariableSpec]) -> dict[str, Scalar]:
    """A stand-in value for each required variable, for a prompt that has no sample."""
    return {v.name: _MADE_UP.get(v.type, "example") for v in variables if v.required}


def declared_defaults(variables: Iterable[VariableSpec]) -> dict[str, Scalar]:
    """The declared defaults of the optional variables."""
    return {v.name: v.default for v in variables if v.default is not None}


@dataclass(frozen=True)
class Sample:
    """A named context used by preview and CI to render the template."""

    name: str
    context: Mapping[str, Scalar]


CONTROL = "control"  # the variant the file's own `template` serves; no variant may take the name
VARIANT_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class VariantSpec:
    """One variant of a prompt: another text that `weight` percent of subjects get."""

    name: str
    weight: int
    template: str
    description: str = ""
    # Where the file holds its template's text: findings about it point there.
    template_line: int = field(default=1, compare=False)


class UnknownVariant(LookupError):
    """The prompt has no variant of that name."""

    def __init__(self, prompt: object, name: str, names: Iterable[str]) -> None:
        self.names = [CONTROL, *names]
        shown = ", ".join(repr(n) for n in self.names)
        super().__init__(f"{prompt} has no variant {name[:80]!r} (its variants: {shown})")


@dataclass(frozen=True)
class PromptDoc:
    """A prompt file that passed validation; immutable, safe to share between threads."""

    id: PromptId
    version: int
    template: str
    description: str = ""
    variables: tuple[VariableSpec, ...] = ()
    samples: tuple[Sample, ...] = ()
    template_line: int = 1
    version_line: int = 1
    blob: str = ""
    # A translation's `translated_from:` (the base version it renders); None for a base text.
    translated_from: int | None = None
    translated_from_line: int = 1
    locale_line: int = 1
    # Other texts tried on part of the subjects (promptsync.core.variants); () for most files.
    variants: tuple[VariantSpec, ...] = ()
    variants_line: int = 1

    @property
    def locale(self) -> str:
        """The translation's locale tag; "" for a brand's base text."""
        return self.id.locale

    def defaults(self) -> dict[str, Scalar]:
        """The declared defaults of the optional variables."""
        return declared_defaults(self.variables)

    def template_of(self, variant: str | None = None) -> str:
        """The text `variant` serves (None or `control`: the file's own `template`); raises
        UnknownVariant naming the choices."""
        if variant is None or variant == CONTROL:
            return self.template
        for spec in self.variants:
            if spec.name == variant:
                return spec.template
        raise UnknownVariant(self.id, variant, (v.name for v in self.variants))

    def variants_json(self) -> list[dict[str, Any]]:
        """The variants as stored in the database's JSON column and in Redis entries."""
        return [{"name": v.name, "weight": v.weight, "template": v.template,
                 "description": v.description} for v in self.variants]

    def variables_json(self) -> dict[str, dict[str, Any]]:
        """The variables as stored in the database's JSON column."""
        return {
            v.name: {"type": v.type, "required": v.required, "default": v.default,
                     "description": v.description}
            for v in self.variables
        }
