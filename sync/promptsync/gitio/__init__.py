"""The one door to git: every git process promptsync starts is started here.

    command.py   the policy for every git process: time limits, redacted errors, no prompts
    spawn.py     that policy written once; one-shot local commands run without GitPython
    lifetime.py  git children die with their parent (Linux PR_SET_PDEATHSIG)
    repo.py      reading a repository: refs, trees, blobs, files at a commit, diffs
    log.py       `git log` in one format, one parser, typed records; a commit graph
    commits.py   writing a commit without a working tree; moving a ref by compare-and-swap
    mirror.py    a private bare mirror of a URL: clone once, fetch every cycle, one lock
    push.py      pushing a commit to a server's branch without force (the compare-and-swap)
    upkeep.py    `gc --auto` after writes; bringing a checked-out branch's files along
    mergefile.py `git merge-file`, for the version merge driver

No module outside this package writes a git command line: each question is a typed method
(`GitRepository.file_at`, `merge_base`, `read_log`, `delete_ref`, ...).
"""

ZERO_SHA = "0" * 40


def short(sha: str) -> str:
    """The seven-character abbreviation people read and type."""
    return sha[:7]
