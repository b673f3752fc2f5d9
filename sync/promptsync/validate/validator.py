"""Validator: the whole-tree entry point. Per-file results are cached by (blob id, rules digest),
so re-validating a commit that changed one prompt costs one file's check.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from promptsync import brands
from promptsync.lru import LRU
from promptsync.model import DEFAULT_BRAND, PROMPTS_DIR, PromptId, PromptType, loose_id
from promptsync.tree import SourceFile
from promptsync.validate import codes, pool
from promptsync.validate.finding import Finding, error
from promptsync.validate.report import FileResult, Report
from promptsync.validate.result_json import StoredResult
from promptsync.validate.rules import Rules, load_rules, rules_digest
from promptsync.validate.translations import BaseHistory, check_translations
from promptsync.validate.version_check import (
    BaseVersion,
    VersionedFile,
    VersionLine,
    check_versions,
)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Below this many unchecked files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 400
# Files per job sent to a pool worker. Sending a job and its results back costs well under a
# millisecond; a worker left without work while the other ends its last job costs half a job
# (at 10,000 files in 8 jobs, about half a second of a 2-core run).
MAX_CHUNK = 64
log = logging.getLogger(__name__)


class ValidationStopped(Exception):
    """`Validator.stop` ended the validation in progress: there is no report."""


class Validator:
    """Checks a tree of files; safe to keep for the life of a process (the daemon does)."""

    def __init__(self, *, workers: int | None = None, cache_size: int = 50_000,
                 cache_bytes: int = 256 * 2**20, store: ResultStore | None = None) -> None:
        self.workers = workers if workers is not None else pool.usable_cpus()
        self.store = store
        # Least recently used results go first: a cache that stopped adding when full stayed
        # cold for every file that changed after that.
        self._cache: LRU[str, FileResult] = LRU(cache_size, max_bytes=cache_bytes,
                                                 weigh=_weight)
        self._rules_by_digest: LRU[str, Rules] = LRU(16)
        self._lock = threading.Lock()
        self._pools: set[ProcessPoolExecutor] = set()
        self._stopped = False

    def stop(self) -> None:
        """End the process pool's work now, for a daemon that is stopping: a validate() in
        progress in the pool, or started in it later, raises ValidationStopped. Without this,
        the interpreter's exit waited for the pool to finish (minutes at 100,000 prompts)."""
        with self._lock:
            self._stopped = True
            running = list(self._pools)
        for executor in running:
            pool.abandon(executor)

    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, BaseVersion] | None = None, *,
                 whole_tree: bool = True, history: BaseHistory | None = None) -> Report:
        """Check `files`; with `whole_tree`, also the checks that span files. A translation is
        checked against its base whenever both are among `files`; `history` shows what changed
        in the base of a stale translation."""
        report = Report()
        rules = self._rules(files, report)
        if rules is None:
            report.sort()
            return report
        prompt_files = [f for f in files if f.path.startswith(f"{PROMPTS_DIR}/")
                        and not f.path.endswith(".md")]
        rule_files = [f for f in files if not f.path.startswith(f"{PROMPTS_DIR}/")]
        try:
            results = self._check_all(prompt_files, rules, rule_files)
        except _RulesFailed as failed:  # rules known to load did not (a file changed meanwhile)
            report.findings += failed.findings
            report.sort()
            return report
        for result in results:
            report.findings += result.findings
            if isinstance(result, StoredResult):
                if result.prompt_id is not None:
                    report.prompts.defer(result.prompt_id, result.load_prompt)
            elif result.prompt is not None:
                report.prompts[result.prompt.id] = result.prompt
        report.files_checked = len(prompt_files)
        if whole_tree:
            report.findings += _duplicate_ids(prompt_files)
            report.findings += _default_complete(prompt_files)
        report.brands = _brand_infos(prompt_files)
        report.findings += check_translations(_ids(prompt_files), report.prompts,
                                              report.brands,
                                              whole_tree=whole_tree, history=history)
        if base is not None:
            report.findings += _version_findings(prompt_files, report, base)
        report.sort()
        return report

    def _rules(self, files: Sequence[SourceFile], report: Report) -> Rules | _KnownRules | None:
        """The rules of `files`, or None (and findings) when they do not load. Rules the result
        store knows to load cleanly come as _KnownRules: loaded only when a file is checked
        (a run whose files are all cached reads no schema and imports no jsonschema)."""
        # Parsing and meta-checking the schema costs milliseconds: keep it per rules digest.
        digest = rules_digest(files)
        cached = self._rules_by_digest.get(digest) if digest is not None else None
        if cached is not None:
            return cached
        if digest is not None and self.store is not None and self.store.rules_load(digest):
            return _KnownRules(digest, files, self)
        return self._load_rules(files, report.findings)

    def _load_rules(self, files: Sequence[SourceFile], findings: list[Finding], *,
                    checked: bool = False) -> Rules | None:
        rules, problems = load_rules(files, checked=checked)
        findings += problems
        if rules is not None:
            self._rules_by_digest.put(rules.digest, rules)
            if not problems and self.store is not None:
                self.store.remember_rules_load(rules.digest)
        return rules

    def _check_all(self, files: Sequence[SourceFile], rules: Rules | _KnownRules,
                   rule_files: Sequence[SourceFile]) -> list[FileResult | StoredResult]:
        results: dict[str, FileResult | StoredResult] = {}
        todo: list[tuple[SourceFile, bytes]] = []
        for f in files:
            cached = None if f.transient else self._cached(_key(f, rules.digest))
            if cached is not None:
                results[f.path] = cached
            elif f.is_symlink or f.is_gitlink:
                results[f.path] = _link_result(f)
            else:
                try:
                    todo.append((f, f.read()))
                except OSError as exc:
                    results[f.path] = FileResult(f.path, (error(
                        f.path, 1, 1, codes.FILE_UNREADABLE,
                        f"the file could not be read: {exc.strerror or exc}"),))
        checked: list[FileResult] = []
        if todo:
            loaded = rules.load() if isinstance(rules, _KnownRules) else rules
            checked = self._run([(f.path, data, f.blob) for f, data in todo], loaded, rule_files)
        for (f, _), result in zip(todo, checked, strict=True):
            results[f.path] = result
            if not f.transient:
                self._remember(_key(f, rules.digest), result)
        return [results[f.path] for f in files]

    def _cached(self, key: str) -> FileResult | StoredResult | None:
        # `in` first: a miss (every file of a CLI run) then costs a lookup, not an exception.
        found = self._cache.get(key) if key in self._cache else None
        if found is None and self.store is not None:
            return self.store.get(key)
        return found

    @property
    def held(self) -> tuple[int, int]:
        """How many results the in-memory cache holds and what they weigh (bytes, estimated):
        what a long-lived process (the API, the daemon) keeps. A draft's result is never kept."""
        return len(self._cache), self._cache.weight

    def _remember(self, key: str, result: FileResult) -> None:
        self._cache.put(key, result)
        if self.store is not None:
            self.store.put(key, result)

    def _run(self, jobs: list[tuple[str, bytes, str]], rules: Rules,
             rule_files: Sequence[SourceFile]) -> list[FileResult]:
        if self.workers < 2 or len(jobs) < PARALLEL_THRESHOLD:
            # Imported when a file is checked, with the checks' own imports (Jinja, the sandbox):
            # a run whose files are all cached needs none of them.
            from promptsync.validate.file_check import check_file

            return [check_file(path, data, rules, blob) for path, data, blob in jobs]
        from concurrent.futures import ProcessPoolExecutor  # (imported only for a pool)

        chunk = chunk_size(len(jobs), self.workers)
        context = pool.context()
        with self._lock:
            if self._stopped:
                raise ValidationStopped("the validator was stopped")
            executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=pool.init_worker,
                initargs=(os.getpid(), pool.rules_for(context, rules, rule_files)))
            self._pools.add(executor)
        log.info("checking %d files in the process pool (%d workers)", len(jobs), self.workers)
        try:
            with executor:
                return list(executor.map(pool.check_job, jobs, chunksize=chunk))
        except Exception as exc:
            # What stop() does to a running pool: BrokenProcessPool, CancelledError, or a
            # RuntimeError from map() still submitting jobs to the pool it shut down.
            if self._stopped:
                raise ValidationStopped("the validator was stopped") from exc
            raise
        finally:
            with self._lock:
                self._pools.discard(executor)


def chunk_size(jobs: int, workers: int) -> int:
    """Files per pool job: a few jobs per worker at least, at most MAX_CHUNK files each."""
    return max(1, min(MAX_CHUNK, jobs // (workers * 4)))


def _version_findings(files: Sequence[SourceFile], report: Report,
                      base: Mapping[PromptId, BaseVersion]) -> list[Finding]:
    # A file whose blob is the base's is unchanged, which the rule passes: its prompt is not
    # decoded from the result cache for that (a whole-tree run would decode every prompt).
    blobs = {f.path: f.blob for f in files}
    current: dict[PromptId, VersionedFile] = {
        prompt_id: report.prompts[prompt_id] for prompt_id in report.prompts
        if not _same_blob(base.get(prompt_id), blobs.get(prompt_id.path))}
    # A conflicted file's finding already says which version to set.
    conflicted = {f.path for f in report.findings if f.code == codes.MERGE_CONFLICT}
    for f in files:
        prompt_id = PromptId.from_path(f.path)
        if (prompt_id is None or prompt_id in report.prompts or f.is_symlink
                or f.path in conflicted):
            continue
        try:
            found = VersionLine.of(prompt_id, f.read(), f.blob)
        except OSError:
            continue  # already reported as unreadable
        if found is not None:
            current[prompt_id] = found
    return check_versions(current, base)


def _same_blob(before: BaseVersion | None, blob: str | None) -> bool:
    return before is not None and bool(before.blob) and before.blob == blob


class ResultStore(Protocol):
    """Somewhere results outlive the process (see result_cache.ResultCache), and the verdict
    that the rules of a digest load without findings."""

    def get(self, key: str) -> FileResult | StoredResult | None: ...
    def put(self, key: str, result: FileResult) -> None: ...
    def rules_load(self, digest: str) -> bool: ...
    def remember_rules_load(self, digest: str) -> None: ...


class _RulesFailed(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("the rules did not load")
        self.findings = findings


class _KnownRules:
    """Rules the store knows to load without findings, by digest: loaded on first need,
    without the checks that could only find something."""

    def __init__(self, digest: str, files: Sequence[SourceFile], validator: Validator) -> None:
        self.digest = digest
        self._files = files
        self._validator = validator

    def load(self) -> Rules:
        findings: list[Finding] = []
        rules = self._validator._load_rules(self._files, findings, checked=True)
        if rules is None or rules.digest != self.digest:
            raise _RulesFailed(findings)
        return rules


def _weight(key: str, result: FileResult) -> int:
    """About what a result holds in memory: its texts, twice over for the objects around them."""
    texts = sum(len(f.message) + len(f.hint) for f in result.findings)
    if result.prompt is not None:
        texts += len(result.prompt.template) + len(result.prompt.description)
    return 1024 + 2 * (len(key) + texts)


def _key(f: SourceFile, digest: str) -> str:
    return f"{f.blob}:{digest}:{f.path}"


def _link_result(f: SourceFile) -> FileResult:
    if f.is_gitlink:
        return FileResult(f.path, (error(f.path, 1, 1, codes.FILE_GITLINK,
                                         "a submodule (another repository) stands where a file "
                                         "is expected; its files are not read",
                                         "remove the submodule and commit the prompt file "
                                         "itself"),))
    where = "outside the repository " if f.link_leaves_repository else ""
    return FileResult(f.path, (error(f.path, 1, 1, codes.FILE_SYMLINK,
                                     f"a symbolic link (to {where}{f.symlink_target!r}) is not "
                                     "allowed here", "commit the prompt file itself"),))


def _duplicate_ids(files: Sequence[SourceFile]) -> list[Finding]:
    seen: dict[PromptId, str] = {}
    findings = []
    for f in files:
        prompt_id = loose_id(f.path)
        if prompt_id is None:
            continue
        if prompt_id in seen:
            findings.append(error(f.path, 1, 1, codes.DUPLICATE_ID,
                                  f"{seen[prompt_id]} already defines {prompt_id}",
                                  "keep one file per prompt"))
        else:
            seen[prompt_id] = f.path
    return findings


def _ids(files: Sequence[SourceFile]) -> list[PromptId]:
    return [pid for f in files if (pid := PromptId.from_path(f.path)) is not None]


def _brand_infos(files: Sequence[SourceFile]) -> dict[str, brands.BrandInfo]:
    found = []
    for f in files:
        if brands.brand_of_file(f.path) is not None and not (f.is_symlink or f.is_gitlink):
            try:
                found.append((f.path, f.read()))
            except OSError:
                continue  # reported as unreadable by its own check
    return brands.read_all(found)


def _default_complete(files: Sequence[SourceFile]) -> list[Finding]:
    present = {pid.type for f in files if (pid := PromptId.from_path(f.path))
               and pid.brand == DEFAULT_BRAND and not pid.locale}
    findings = []
    for prompt_type in PromptType:
        if prompt_type not in present:
            path = PromptId(DEFAULT_BRAND, prompt_type).path
            findings.append(error(path, 1, 1, codes.DEFAULT_MISSING_TYPE,
                                  f"brand 'default' has no {prompt_type.value} prompt; every brand "
                                  "falls back to it", f"add {path}"))
    return findings


