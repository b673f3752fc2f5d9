"""Edits of prompts that become git commits: no HTTP here (the API's routes call in).

    request.py    what an editor asks for (EditRequest) and what comes of it (Written,
                  Rejected, Conflict, PushFailed): values, never exceptions
    document.py   the new file's bytes: the old file round-tripped with the changed fields
    conflict.py   why a version check failed, told as a person needs it (who, when, the diff)
    change.py     one edit on a given head: check, build, validate, commit; a review branch
    landing.py    where a chain of commits lands: a local branch (update-ref) or a git
                  server's (a push without force), each a compare-and-swap
    service.py    the process's one writer: a queue, edits batched into one chain per landing,
                  backoff when another writer won
"""
