"""Edits of prompts that become git commits: no HTTP here (the API's routes call in).

    request.py    what an editor asks for (EditRequest) and what comes of it (Written,
                  Rejected, Conflict, PushFailed): values, never exceptions
    document.py   the new file's bytes: the old file round-tripped with the changed fields
    conflict.py   why a version check failed, told as a person needs it (who, when, the diff)
    service.py    one edit from start to finish: read, check, build, validate, commit, move the
                  ref by compare-and-swap, push a review branch
"""
