"""The sync daemon: published commit -> database (one transaction) -> Redis.

    source.py      a local repository as it is, or a bare mirror of a URL fetched every cycle
    watcher.py     watchfiles on refs/ and packed-refs of a local repository; wakes the loop
    planner.py     (published commit, new commit) -> ChangeSet, from `git diff-tree` when it can
    syncer.py      one cycle: state, ref, validate, plan, apply, invalidate; heals Redis gaps
    cache_sync.py  Redis at the database's generation, either way (lagging: publish; ahead: rebuild)
    refusals.py    commits not applied (invalid, behind the published one, refused): once each
    retry.py       when a commit the database refused is tried again (capped exponential)
    loop.py        the daemon loop: stop event, watcher or interval with jitter, backoff
    runner.py      the loop in a worker thread, the main thread waiting for a signal
    metrics.py     Prometheus metrics, and what /healthz answers
    metrics_server.py  /metrics and /healthz over HTTP: bounded connections, each timed out
    faults.py      every error of a cycle classified, logged once, counted
    checkpoint.py  named steps, and the PROMPTSYNC_TEST_PAUSE_AT hook of the fault tests
    memory.py      what a check of the whole tree freed goes back to the system (malloc_trim)

Git access stays on GitPython (`promptsync.gitio.repo`): the daemon opens one GitRepository per
cycle and closes it at the end of the cycle, which ends GitPython's `cat-file` children and frees
its file handles; tests/daemon/test_resources.py proves 500 syncs hold both flat. pygit2 would add a
compiled dependency for reads that are not the bottleneck (a one-prompt commit reads one blob).
"""
