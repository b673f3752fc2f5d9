"""The prompt repository at one snapshot, as every front end asks about it.

A `Workspace` is a commit's tree, the working tree, or either with a draft laid over it. It
alone answers the domain's questions about files:

    ws.answer(PromptId("acme", GREETING), "de-CH")   # which file answers (the one order)
    ws.check(["prompts/acme/greeting.yaml"])         # the verdict on a change: the findings a
                                                     # whole-tree run gives on what it touches
    ws.with_files({path: new_bytes})                 # a draft over the snapshot

The daemon's gate, the edit service, the API's preview, `/source` and coverage, and the CLI's
validate and preview call it; none of them decides which files a check must see or which file
answers. Files are read only when a check or an answer needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from promptsync import brands
from promptsync.core.related import FileIndex, is_rule_file
from promptsync.core.resolution import is_language_fallback, lookup_order
from promptsync.known_blobs import KnownBlobs
from promptsync.locale import language
from promptsync.model import DEFAULT_BRAND, PromptId
from promptsync.tree import SourceFile, Tree, blob_id, file_reader, is_prompt_candidate, listed
from promptsync.validate import Report, Validator
from promptsync.validate.translations import BaseHistory
from promptsync.validate.validator import OnPrompt
from promptsync.validate.version_check import BaseVersion
from promptsync.versionline import read_version

Load = Callable[[str], SourceFile]


class Checker(Protocol):
    """What checks files (promptsync.validate.Validator; a test may wrap it)."""

    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, BaseVersion] | None = None, *,
                 whole_tree: bool = True, history: BaseHistory | None = None,
                 on_prompt: OnPrompt | None = None) -> Report: ...


@dataclass(frozen=True)
class Answer:
    """Which file answers `asked` for a customer asking in `locale` ("" none)."""

    asked: PromptId
    locale: str
    answer: PromptId | None  # None: nothing in the tree, the built-in text would answer
    answer_language: str  # the language the answering text is written in ("" unknown)
    base: PromptId | None = None  # the base text of a translation that answers

    @property
    def language_fallback(self) -> bool:
        return self.answer is not None and is_language_fallback(self.locale,
                                                                 self.answer_language)

    @property
    def own(self) -> bool:
        """The asked prompt's own file answers (not an inherited or another language's)."""
        return self.answer == self.asked

    def describe(self) -> str:
        """`acme/greeting in de-CH: answered by default/greeting.de` and why, for a person."""
        asked, locale = self.asked.base, self.locale
        if self.answer is None:
            return f"{asked} in {locale}: nothing answers; the built-in text would"
        head = f"{asked} in {locale}: answered by {self.answer}"
        if self.language_fallback:
            spoken = self.answer_language or "a language its brand does not declare"
            return (f"{head} ({spoken}), a language fallback: neither {asked.brand} nor "
                    f"{DEFAULT_BRAND} has a text in {language(locale)}")
        if self.answer.brand != asked.brand:
            return f"{head} ({asked.brand} has no {self.answer.locale} text of its own)"
        return head


class Workspace:
    """One snapshot of prompts/ and schema/; reads files lazily through `load`."""

    def __init__(self, label: str, index: FileIndex, load: Load,
                 validator: Checker | None = None) -> None:
        self.label = label
        self.index = index
        self._load = load
        self.validator: Checker = validator or Validator(workers=1)

    @classmethod
    def of_files(cls, label: str, files: Iterable[SourceFile],
                 validator: Checker | None = None) -> Workspace:
        held = {f.path: f for f in files}
        return cls(label, FileIndex.of(held), held.__getitem__, validator)

    @classmethod
    def of_tree(cls, tree: Tree, validator: Checker | None = None) -> Workspace:
        return cls.of_files(tree.label, tree.files, validator)

    @classmethod
    def of_directory(cls, root: Path, validator: Checker | None = None,
                     known: KnownBlobs | None = None) -> Workspace:
        """The working tree: its paths listed now, each file read when first needed (with
        `known`, a file whose lstat it remembers only when its bytes are needed)."""
        held: dict[str, SourceFile] = {}
        read_file = file_reader(root, known)

        def load(path: str) -> SourceFile:
            found = held.get(path)
            if found is None:
                found = held[path] = read_file(path)
            return found

        return cls("the working tree", FileIndex.of(listed(root)), load, validator)

    # -- files -------------------------------------------------------------------------------

    def file(self, path: str) -> SourceFile | None:
        return self._load(path) if path in self.index else None

    def read(self, path: str) -> bytes | None:
        found = self.file(path)
        return None if found is None or found.is_gitlink else found.read()

    def files(self, paths: Iterable[str] | None = None) -> list[SourceFile]:
        """The files at `paths` (default: all), in path order: every check reads them in
        one order, so a finding that depends on order (the later of two namesakes) is the
        same in a whole-tree run and an incremental one."""
        chosen = self.index.paths if paths is None else set(paths) & self.index.paths
        return [self._load(p) for p in sorted(chosen)]

    def prompt_ids(self) -> set[PromptId]:
        return {p for path in self.index.paths if (p := PromptId.from_path(path)) is not None}

    def with_files(self, changes: Mapping[str, bytes | None], label: str | None = None,
                   ) -> Workspace:
        """This snapshot with `changes` laid over it (bytes: the file's new content; None:
        deleted): a draft, an edit before it is committed."""
        drafted = {path: SourceFile(path, blob_id(data), _constant(data), transient=True)
                   for path, data in changes.items() if data is not None}
        index = FileIndex.of(self.index.paths)
        for path, data in changes.items():
            (index.add if data is not None else index.remove)(path)
        load = self._load

        def overlaid(path: str) -> SourceFile:
            found = drafted.get(path)
            return found if found is not None else load(path)

        return Workspace(label or self.label, index, overlaid, self.validator)

    # -- which file answers ------------------------------------------------------------------

    def answer(self, asked: PromptId, locale: str | None = None) -> Answer:
        """The file the runtime serves for `asked` (brand and type; its locale, or `locale`,
        canonical) in the one documented order, as it would after a sync of this snapshot."""
        tag = asked.locale if locale is None else locale
        base_asked = PromptId(asked.brand, asked.type)
        for brand, step_locale in lookup_order(asked.brand, tag):
            found = PromptId(brand, asked.type, step_locale)
            if found.path in self.index:
                return Answer(PromptId(asked.brand, asked.type, tag), tag, found,
                              self._language(found), self.base_of(found))
        return Answer(PromptId(base_asked.brand, base_asked.type, tag), tag, None, "")

    def base_of(self, prompt: PromptId) -> PromptId | None:
        """The base text a translation translates: its brand's own, else `default`'s."""
        if not prompt.locale:
            return None
        for candidate in (prompt.base, PromptId(DEFAULT_BRAND, prompt.type)):
            if candidate.path in self.index:
                return candidate
        return None

    def brand_infos(self) -> dict[str, brands.BrandInfo]:
        found = []
        for path in self.index.paths:
            if brands.brand_of_file(path) is not None:
                f = self._load(path)
                if not (f.is_symlink or f.is_gitlink):
                    try:
                        found.append((path, f.read()))
                    except OSError:
                        continue  # reported as unreadable by its own check
        return brands.read_all(found)

    def _language(self, prompt: PromptId) -> str:
        if prompt.locale:
            return language(prompt.locale)
        infos = {}
        for brand in {prompt.brand, DEFAULT_BRAND}:
            data = self.read(brands.brand_file_path(brand))
            if data is not None:
                infos[brand] = brands.parse(data)
        return language(brands.effective(infos, prompt.brand).language)

    # -- the verdict -------------------------------------------------------------------------

    def check(self, changed: Collection[str] | None = None, *,
              base: Mapping[PromptId, BaseVersion] | None = None,
              history: BaseHistory | None = None, on_prompt: OnPrompt | None = None) -> Report:
        """The findings a whole-tree run gives on the files `changed` can affect (the named
        paths, added, modified or deleted, and the files whose findings depend on them);
        `changed=None`: the whole tree. With `base`, the version rule too. `on_prompt`
        (whole tree only) gets each prompt whose own file passed, as it does."""
        scope = None if changed is None else self.index.affected(changed)
        if scope is None:
            return self.validator.validate(self.files(), base, history=history,
                                           on_prompt=on_prompt)
        report = self.validator.validate(self.files(self.index.context(scope)), base,
                                         history=history)
        # A finding about the rules themselves (schema/ does not load) stops every check.
        report.findings = [f for f in report.findings if f.path in scope or is_rule_file(f.path)]
        for prompt_id in [i for i in report.prompts if i.path not in scope]:
            del report.prompts[prompt_id]  # by id: a cached prompt is not decoded to drop it
        report.files_checked = sum(1 for p in scope if p in self.index and is_prompt_candidate(p))
        return report

    def reads(self, changed: Collection[str] | None) -> set[str] | None:
        """The paths `check(changed)` reads (None: every file): whose base versions it needs."""
        scope = None if changed is None else self.index.affected(changed)
        return None if scope is None else self.index.context(scope)

    def check_edit(self, path: str, data: bytes | None) -> Report:
        """The verdict on one file holding `data` (None: deleted) on top of this snapshot, as
        a save and a preview of a draft give it: the findings on the file and on the files it
        affects (a base text's translations go stale; deleting it leaves them without one),
        with the version rule against this snapshot (an edit raises the version by one)."""
        edited = self.with_files({path: data})
        scope = edited.index.affected([path]) or set(edited.index.paths)
        return edited.check([path], base=self.versions(edited.index.context(scope)))

    def versions(self, paths: Iterable[str]) -> dict[PromptId, BaseVersion]:
        """The `version:` of each prompt file among `paths` in this snapshot, for the version
        rule of a change made on top of it."""
        found = {}
        for path in paths:
            prompt, data = PromptId.from_path(path), self.read(path)
            version = None if prompt is None or data is None else read_version(data)
            if prompt is not None and version is not None:
                found[prompt] = BaseVersion(version, blob_id(data or b""))
        return found

    def check_file(self, path: str, *,
                   base: Mapping[PromptId, BaseVersion] | None = None) -> Report:
        """`check([path])`, kept to the findings on `path` itself: what an editor of that one
        file is told (a preview, a save)."""
        report = self.check([path], base=base)
        report.findings = [f for f in report.findings if f.path == path or is_rule_file(f.path)]
        return report


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data
