"""The writer of one process: every edit goes through one queue and one thread.

Edits that arrive while a write is in progress wait in the queue; the writer takes all of them
at once and builds their commits as a chain on the target's head (each edit its own commit, no
merges), then moves the target once: `update-ref` by compare-and-swap on a local branch, a push
without force to a git server (`landing`). The landing is the lock: when it loses (someone else
wrote), the writer reads the new head and builds the chain again, after a backoff with jitter,
a bounded number of times. So a stale version is a Conflict, an edit of another prompt only a
retry, two writers of the same version never both succeed, and a hundred edits of different
prompts land in a few ref updates instead of racing each other a hundred times.

With a git server, the mirror may be behind it: a Conflict found on a head that was not just
fetched is checked again after a fetch before it is answered, and a landing that wrote anything
proves the head was the server's (the push would have been rejected otherwise).
"""

from __future__ import annotations

import logging
import queue
import random
import re
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from promptsync.edit.change import Built, Change, check_message, review_branch, review_prefix
from promptsync.edit.landing import Landing, LocalBranch, Moved
from promptsync.edit.request import EditError, EditRequest, Outcome, Written
from promptsync.errors import GitError, PromptSyncError
from promptsync.gitio.commits import branches, delete_ref, ref_value
from promptsync.gitio.repo import GitRepository
from promptsync.gitio.upkeep import collect_garbage
from promptsync.validate import Validator
from promptsync.versionline import read_version

__all__ = ["EditService", "review_branch"]
log = logging.getLogger(__name__)
ATTEMPTS = 12  # landings lost to other writers before giving up on a batch
BACKOFF = (0.02, 1.0)  # s: first and largest wait after a lost landing (full jitter)
BATCH = 64  # edits taken from the queue at once
CHAIN_SECONDS = 2.0  # s: the chain is cut after this much building, landed, then continued
_VERSION = re.compile(r"v(\d+)")

Result = Outcome | PromptSyncError


@dataclass
class _Job:
    request: EditRequest
    done: threading.Event = field(default_factory=threading.Event)
    result: Result | BaseException | None = None

    def settle(self, result: Result | BaseException) -> None:
        if not self.done.is_set():
            self.result = result
            self.done.set()

    def wait(self) -> Outcome:
        self.done.wait()
        if isinstance(self.result, BaseException):
            raise self.result
        assert self.result is not None
        return self.result


class EditService:
    """Carries out edits on the repository at `path` (a working repository, or the private
    mirror of a git server, with `landing` a ServerBranch); keeps one Validator (its cache)
    for the life of the process. `apply` may be called from any thread."""

    def __init__(self, path: Path, validator: Validator | None = None,
                 landing: Landing | None = None) -> None:
        self.path = path
        self.validator = validator or Validator(workers=1)
        self.landing = landing or LocalBranch(path)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start = threading.Lock()

    def apply(self, request: EditRequest) -> Outcome:
        """The outcome of `request`, once the writer has carried it out."""
        check_message(request)
        job = _Job(request)
        with self._start:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._run, daemon=True,
                                                 name="promptsync-writer")
                self._writer.start()
            self._jobs.put(job)
        return job.wait()

    def close(self) -> None:
        """Stop the writer once the edits queued before are done."""
        with self._start:
            writer, self._writer = self._writer, None
        if writer is not None:
            self._jobs.put(None)
            writer.join()

    def _run(self) -> None:
        while (first := self._jobs.get()) is not None:
            batch = [first]
            while len(batch) < BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._jobs.put(None)  # stop after this batch
                    break
                batch.append(job)
            self._serve(batch)

    def _serve(self, batch: list[_Job]) -> None:
        try:
            with GitRepository(self.path) as repo:
                for job in batch:
                    if job.request.write_to != "main":
                        job.settle(self._review(repo, job.request))
                for target in sorted({j.request.target for j in batch}):
                    onto = [j for j in batch
                            if j.request.write_to == "main" and j.request.target == target]
                    if onto:
                        _Writer(self, repo, target, onto).write()
        except BaseException as exc:  # every waiting request gets an answer, whatever happened
            log.error("the writer failed on a batch of %d edit(s): %s", len(batch), exc)
            for job in batch:
                job.settle(exc)
            if not isinstance(exc, Exception):
                raise

    def _review(self, repo: GitRepository, request: EditRequest) -> Result:
        try:
            self.landing.refresh()
            head = ref_value(repo, request.target)
            if head is None:
                return _no_branch(request.target)
            current = repo.file_at(head, request.prompt.path)
            version = read_version(current.data) if current is not None else None
            if version is not None:  # the version the target has: never the editor's word
                clear_review_branches(repo, self.landing, request, version)
            return Change(repo, request, self.validator, self.landing.remote,
                          self.landing.refresh).to_review_branch(head)
        except PromptSyncError as exc:
            return exc


class _Writer:
    """One batch of edits onto one target branch, landed as one chain or a few."""

    def __init__(self, service: EditService, repo: GitRepository, target: str,
                 jobs: list[_Job]) -> None:
        self.service, self.repo, self.target, self.jobs = service, repo, target, jobs
        self.landing = service.landing
        self.fresh = isinstance(self.landing, LocalBranch)

    def write(self) -> None:
        """Every job answered; in rounds, each a chain built in about CHAIN_SECONDS."""
        while self.jobs:
            self.later: list[_Job] = []
            self._round()
            self.jobs = self.later

    def _round(self) -> None:
        for attempt in range(ATTEMPTS):
            with self.landing.exclusive():
                if self._attempt():
                    return
            low, high = BACKOFF
            time.sleep(random.uniform(0, min(high, low * 2 ** attempt)))
        gave_up = GitError(f"{self.target} kept moving: {ATTEMPTS} attempts to write "
                           f"{len(self.jobs)} edit(s) lost to other writers (hint: try again)")
        for job in self.jobs:
            job.settle(gave_up)

    def _attempt(self) -> bool:
        """Whether every job has its answer; False when the landing lost and must be redone."""
        self.landing.ready(self.repo, self.target)
        head = ref_value(self.repo, self.target)
        if head is None and not self.fresh:
            return self._refetched()
        if head is None:
            for job in self.jobs:
                job.settle(_no_branch(self.target))
            return True
        results, tip = self._chain(head)
        if tip == head:
            if not self.fresh:  # only refusals, found on a head that may be behind the server
                return self._refetched()
            self._answer(results)
            return True
        try:
            self.landing.land(self.repo, self.target, head, tip)
        except Moved:
            self.landing.refresh()
            self.fresh = True
            return False
        except PromptSyncError as exc:  # refused, unreachable, locked: nothing was written
            self._answer({j: exc if isinstance(r, Written) else r for j, r in results.items()})
            return True
        pushed = self.landing.pushed_to
        self._answer({j: replace(r, pushed_to=pushed) if isinstance(r, Written) else r
                      for j, r in results.items()})
        self._tidy(results)
        return True

    def _refetched(self) -> bool:
        self.landing.refresh()
        self.fresh = True
        return self._attempt()

    def _chain(self, head: str) -> tuple[dict[int, Result], str]:
        results: dict[int, Result] = {}
        tip, started = head, time.monotonic()
        for n, job in enumerate(self.jobs):
            if n and time.monotonic() - started > CHAIN_SECONDS:
                # A long chain is a long window for another process to push first, and a
                # lost push rebuilds all of it: land this much, build the rest on top after.
                self.jobs, self.later = self.jobs[:n], self.jobs[n:] + self.later
                break
            try:
                built = Change(self.repo, job.request, self.service.validator,
                               self.landing.remote).build(tip)
            except PromptSyncError as exc:
                results[n] = exc
                continue
            if isinstance(built, Built):
                results[n] = built.written
                tip = built.written.commit
            else:
                results[n] = built
        return results, tip

    def _answer(self, results: dict[int, Result]) -> None:
        for n, result in results.items():
            self.jobs[n].settle(result)

    def _tidy(self, results: dict[int, Result]) -> None:
        """After a landing: git's own maintenance, and the review branches it made stale.
        The edits are answered already; what fails here is only logged."""
        try:
            self._clear(results)
        except PromptSyncError as exc:
            log.warning("tidying after a write failed: %s", exc)
        collect_garbage(self.repo)

    def _clear(self, results: dict[int, Result]) -> None:
        for n, result in results.items():
            if isinstance(result, Written) and result.version is not None:
                clear_review_branches(self.repo, self.landing, self.jobs[n].request,
                                      result.version)


def clear_review_branches(repo: GitRepository, landing: Landing, request: EditRequest,
                          upto: int) -> None:
    """Delete the prompt's review branches of versions up to `upto` (here and on the server):
    the target has that version, so each was merged or superseded. Never fails an edit."""
    for branch, sha in branches(repo, review_prefix(request.prompt)):
        wanted = _VERSION.fullmatch(branch.rsplit("/", 1)[-1])
        if wanted is None or int(wanted[1]) > upto:
            continue
        try:
            landing.delete(repo, branch, sha)
            delete_ref(repo, branch, sha)
        except PromptSyncError as exc:
            log.info("stale review branch %s not deleted: %s", branch, exc)
        else:
            log.info("deleted review branch %s: %s has version %d", branch, request.target, upto)


def _no_branch(target: str) -> EditError:
    return EditError(f"branch {target!r} does not exist in the prompt repository", "not-found")
