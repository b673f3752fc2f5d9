"""Turn (published commit, new commit, validation report) into the change set to apply.

With the published commit still in the object database, only the prompt files `git diff-tree`
names are looked at, so the cost follows the change and not the size of the repository. When it
is gone (a force-push on a mirror that never saw it, or the first load) the new tree is compared
with the live rows instead.

Each base text is stamped with its brand's language (prompts/<brand>/brand.yaml, else default's:
promptsync.brands.effective); a translation's is its tag's. When a commit changes a brand file,
the live base texts whose language it changes are rewritten too, in the same generation.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from promptsync.brands import BrandInfo, brand_of_file, effective, read_all
from promptsync.gitio.repo import GitRepository
from promptsync.lru import LRU
from promptsync.model import DEFAULT_BRAND, PROMPTS_DIR, PromptDoc, PromptId, id_order
from promptsync.store.changeset import ChangeSet, CommitMeta
from promptsync.store.state import LivePrompt, PublishedState
from promptsync.trailers import rolled_back_to

LiveRows = Callable[[], dict[PromptId, LivePrompt]]
Languages = dict[PromptId, str]
# The brand files of recent commits (a commit's files never change): a commit that touches no
# brand file has its parent's, so the daemon reads them once, not on every one-prompt commit.
_BRANDS: LRU[str, dict[str, BrandInfo]] = LRU(8)


def commit_meta(repo: GitRepository, sha: str) -> tuple[CommitMeta, str]:
    """The commit's metadata and its message."""
    info = repo.commit_info(sha)
    author = f"{info.author_name} <{info.author_email}>" if info.author_email else info.author_name
    return CommitMeta(sha, author, info.committed_at, info.message), info.message


def plan(repo: GitRepository, state: PublishedState, target: str,
         prompts: dict[PromptId, PromptDoc], live_rows: LiveRows,
         brands: dict[str, BrandInfo] | None = None) -> ChangeSet:
    """The change set that moves the database from `state` to `target`; `brands`, when given,
    are every brand file of `target`, parsed (a check of the whole tree read them)."""
    if brands is not None:
        _BRANDS.put(target, brands)
    meta, message = commit_meta(repo, target)
    old = state.commit
    if old is not None and repo.has_commit(old):
        upserts, deletes, languages = _from_diff(repo, old, target, prompts, live_rows)
    else:
        upserts, deletes, languages = _from_rows(repo, target, prompts, live_rows())
    # A ref moved back to an ancestor never gets here (syncer: a rollback is a new commit).
    return ChangeSet(from_commit=old, from_generation=state.generation, commit=meta,
                     upserts=tuple(upserts), deletes=tuple(deletes),
                     rollback=rolled_back_to(message) is not None, languages=languages)


def brand_infos(repo: GitRepository, sha: str) -> dict[str, BrandInfo]:
    """Every brand.yaml of the commit's tree, parsed, by brand."""
    found = _BRANDS.get(sha)
    if found is None:
        files = [f for f in repo.files(sha, dirs=(PROMPTS_DIR,))
                 if brand_of_file(f.path) is not None and not (f.is_symlink or f.is_gitlink)]
        data = repo.read_blobs({f.blob for f in files})
        found = read_all((f.path, data.get(f.blob, b"")) for f in files)
    _BRANDS.put(sha, found)
    return found


def _base_languages(docs: Collection[PromptId],
                    infos: dict[str, BrandInfo]) -> dict[PromptId, str]:
    return {i: effective(infos, i.brand).language for i in docs if not i.locale}


def _from_diff(repo: GitRepository, old: str, new: str, prompts: dict[PromptId, PromptDoc],
               live_rows: LiveRows) -> tuple[list[PromptDoc], list[PromptId], Languages]:
    upserts: dict[PromptId, PromptDoc] = {}
    deletes: set[PromptId] = set()
    brands_changed: set[str] = set()
    for _status, path in repo.changed_paths(old, new):
        pid = PromptId.from_path(path)  # None for schema/ and anything not a prompt
        if pid is None:
            brand = brand_of_file(path)
            if brand is not None:
                brands_changed.add(brand)
            continue
        if pid in prompts:
            upserts[pid] = prompts[pid]
        else:
            deletes.add(pid)
    if not brands_changed:
        same = _BRANDS.get(old)  # no brand file changed: the new commit has the old one's
        if same is not None:
            _BRANDS.put(new, same)
        # Only base texts need their brand's language (a translation's is its tag's).
        needed = any(not i.locale for i in upserts)
        languages = _base_languages(upserts, brand_infos(repo, new)) if needed else {}
    else:
        # A brand's language moved: its unchanged base texts take it too (rare; reads all rows).
        infos = brand_infos(repo, new)
        languages = _relanguage(infos, brands_changed, live_rows(), set(upserts) | deletes)
        languages.update(_base_languages(upserts, infos))
    return ([upserts[i] for i in sorted(upserts, key=id_order)],
            sorted(deletes - upserts.keys(), key=id_order), languages)


def _relanguage(infos: dict[str, BrandInfo], changed: set[str], live: dict[PromptId, LivePrompt],
                skip: set[PromptId]) -> Languages:
    everyone = DEFAULT_BRAND in changed  # a brand without its own file inherits default's
    found = {}
    for pid, row in live.items():
        if pid.locale or pid in skip or not (everyone or pid.brand in changed):
            continue
        language = effective(infos, pid.brand).language
        if language != row.language:
            found[pid] = language
    return found


def _from_rows(repo: GitRepository, target: str, prompts: dict[PromptId, PromptDoc],
               live: dict[PromptId, LivePrompt]
               ) -> tuple[list[PromptDoc], list[PromptId], Languages]:
    infos = brand_infos(repo, target)
    languages = _base_languages(prompts, infos)
    ordered = (prompts[pid] for pid in sorted(prompts, key=id_order))
    upserts = [doc for doc in ordered
               if doc.id not in live or _differs(doc, live[doc.id], languages.get(doc.id, ""))]
    return upserts, sorted(set(live) - set(prompts), key=id_order), languages


def _differs(doc: PromptDoc, row: LivePrompt, language: str) -> bool:
    if doc.id.locale:
        language = row.language  # a translation's language is its tag's, never a change
    return (doc.version, doc.template, doc.description, doc.variables_json(), language,
            doc.variants_json() or None) != (row.version, row.template, row.description,
                                             row.variables, row.language, row.variants)
