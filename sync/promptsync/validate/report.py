"""The result of one validation run: every finding, and the prompts that passed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field

from promptsync.brands import BrandInfo
from promptsync.model import PromptDoc, PromptId
from promptsync.validate.finding import Finding


@dataclass(frozen=True)
class FileResult:
    """What checking one file found (file_check.check_file), and its prompt when it passed."""

    path: str
    findings: tuple[Finding, ...]
    prompt: PromptDoc | None = None


class Prompts(MutableMapping[PromptId, PromptDoc]):
    """The prompts that passed, by id. A prompt from the result cache is decoded when first
    looked up: a cached run over 10,000 files looks at the translations and their base texts,
    not at every prompt (decoding them all cost more than the rest of the run)."""

    def __init__(self, docs: Mapping[PromptId, PromptDoc] | None = None) -> None:
        self._docs: dict[PromptId, PromptDoc | Callable[[], PromptDoc]] = dict(docs or {})

    def defer(self, prompt_id: PromptId, load: Callable[[], PromptDoc]) -> None:
        """Hold the prompt `load` returns, calling it when the prompt is first looked up."""
        self._docs[prompt_id] = load

    def __getitem__(self, prompt_id: PromptId) -> PromptDoc:
        doc = self._docs[prompt_id]
        if not isinstance(doc, PromptDoc):
            doc = self._docs[prompt_id] = doc()
        return doc

    def __setitem__(self, prompt_id: PromptId, doc: PromptDoc) -> None:
        self._docs[prompt_id] = doc

    def __delitem__(self, prompt_id: PromptId) -> None:
        del self._docs[prompt_id]

    def __iter__(self) -> Iterator[PromptId]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self._docs  # without decoding

    def __repr__(self) -> str:
        return f"Prompts({dict(self)!r})"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    prompts: Prompts = field(default_factory=Prompts)
    files_checked: int = 0
    base: str | None = None  # what versions were checked against, e.g. "origin/main (1a2b3c4)"
    # The brand files among the files checked, parsed, by brand (what the translations' checks
    # read; None before they were): a daemon's load of the whole tree takes the languages of
    # its rows from them.
    brands: dict[str, BrandInfo] | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
