"""Which files a check must see, and whose findings a change can move: the related-files rule.

Checking one file is a pure function of its bytes and the rules in schema/ (cacheable by blob);
what spans files is few and named here:

- a translation is checked beside its base text (its brand's own, else `default`'s: its
  variables, its `translated_from`, whether it has a base at all) and its brand's `brand.yaml`
  and `default`'s (whether the brand serves its locale);
- two files that claim one id (any spelling: `.yml`, upper case, a locale's other spelling) are
  one finding, on the later file;
- `default` must keep every type: a check of one of its base texts sees all six.

So a change to a base text moves the findings of its translations (and a change to one of
`default`'s base texts, those of every brand that has no base text of its own for that type);
a change to a `brand.yaml`, those of its brand's translations (`default`'s: every brand's); a
change to schema/, everything. `affected` answers the first question (whose findings can
change), `context` the second (what their check must read); a check of `context(affected(x))`
with every cross-file rule on, kept to the affected files, gives the same findings on them as a
run over the whole tree: incremental equals whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from promptsync import brands
from promptsync.model import DEFAULT_BRAND, SCHEMA_DIR, PromptId, PromptType, loose_id
from promptsync.tree import is_prompt_candidate


def is_rule_file(path: str) -> bool:
    """A file every check reads (schema/), not a file checked as a prompt."""
    return not is_prompt_candidate(path)


@dataclass
class FileIndex:
    """The paths of one snapshot, indexed for the related-files rule; updated in place by
    `apply`, so a daemon following a branch pays for what a commit changes, not for the tree."""

    paths: set[str] = field(default_factory=set)
    # Nearly every loose id has one path: held as itself, a set only for namesakes (a set of
    # its own for each file was 24 MB of what the daemon keeps at 100,000 prompts).
    _by_loose: dict[PromptId, str | set[str]] = field(default_factory=dict)
    # (brand, type) -> the paths of its translations; type -> every translation of that type
    _translations: dict[tuple[str, PromptType], set[str]] = field(default_factory=dict)
    _by_type: dict[PromptType, set[str]] = field(default_factory=dict)
    _by_brand: dict[str, set[str]] = field(default_factory=dict)
    _rules: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, paths: Iterable[str]) -> FileIndex:
        index = cls()
        for path in paths:
            index.add(path)
        return index

    def add(self, path: str) -> None:
        if path in self.paths:
            return
        self.paths.add(path)
        self._file(path, add=True)

    def remove(self, path: str) -> None:
        if path not in self.paths:
            return
        self.paths.discard(path)
        self._file(path, add=False)

    def _file(self, path: str, *, add: bool) -> None:
        if is_rule_file(path):
            _mark(self._rules, path, add)
            return
        loose = loose_id(path)
        if loose is not None:
            _mark_namesake(self._by_loose, loose, path, add)
        prompt = PromptId.from_path(path)
        if prompt is not None and prompt.locale:
            _mark(self._translations.setdefault((prompt.brand, prompt.type), set()), path, add)
            _mark(self._by_type.setdefault(prompt.type, set()), path, add)
            _mark(self._by_brand.setdefault(prompt.brand, set()), path, add)

    def __contains__(self, path: object) -> bool:
        return path in self.paths

    def translations(self, brand: str, prompt_type: PromptType) -> set[str]:
        return self._translations.get((brand, prompt_type), set())

    def rule_files(self) -> set[str]:
        return set(self._rules)

    # -- the rule ----------------------------------------------------------------------------

    def affected(self, changed: Iterable[str]) -> set[str] | None:
        """The present files whose findings can differ once `changed` (added, modified or
        deleted paths; the index already holds the new state) changed; None: every file (the
        rules in schema/ changed)."""
        out: set[str] = set()
        for path in changed:
            if path.startswith(f"{SCHEMA_DIR}/"):
                return None
            out.add(path)
            out |= self._namesakes(path)
            out |= self._dependents(path)
        return out

    def _namesakes(self, path: str) -> set[str]:
        """The present paths that claim the loose id `path` claims (itself among them)."""
        loose = loose_id(path)
        held = None if loose is None else self._by_loose.get(loose)
        if held is None:
            return set()
        return {held} if isinstance(held, str) else held

    def _dependents(self, path: str) -> set[str]:
        prompt = PromptId.from_path(path)
        if prompt is not None and not prompt.locale:
            found = set(self.translations(prompt.brand, prompt.type))
            if prompt.brand == DEFAULT_BRAND:  # the base of every brand without its own
                found |= {p for p in self._by_type.get(prompt.type, ())
                          if _base_path(p) not in self.paths}
            return found
        brand = brands.brand_of_file(path)
        if brand == DEFAULT_BRAND:  # what a brand does not declare, it takes from default
            return {p for every in self._by_brand.values() for p in every}
        if brand is not None:
            return set(self._by_brand.get(brand, ()))
        return set()

    def context(self, paths: Iterable[str]) -> set[str]:
        """Every present file a check of `paths` must read: the rule files, `default`'s base
        texts, each file's namesakes, and a translation's bases and brand files."""
        out = set(self._rules)
        out |= {p for t in PromptType if (p := PromptId(DEFAULT_BRAND, t).path) in self.paths}
        for path in paths:
            out.add(path)
            out |= self._namesakes(path)
            prompt = PromptId.from_path(path)
            if prompt is not None and prompt.locale:
                out |= {p for p in (prompt.base.path, PromptId(DEFAULT_BRAND, prompt.type).path,
                                    brands.brand_file_path(prompt.brand),
                                    brands.brand_file_path(DEFAULT_BRAND)) if p in self.paths}
        return out & self.paths


def _base_path(translation_path: str) -> str:
    prompt = PromptId.from_path(translation_path)
    assert prompt is not None  # indexed as a translation
    return prompt.base.path


def _mark_namesake(found: dict[PromptId, str | set[str]], loose: PromptId, path: str,
                   add: bool) -> None:
    held = found.get(loose)
    if add:
        if held is None:
            found[loose] = path
        elif isinstance(held, str):
            if held != path:
                found[loose] = {held, path}
        else:
            held.add(path)
    elif held == path:
        del found[loose]
    elif isinstance(held, set):
        held.discard(path)
        if len(held) == 1:
            found[loose] = next(iter(held))


def _mark(found: set[str], path: str, add: bool) -> None:
    if add:
        found.add(path)
    else:
        found.discard(path)
