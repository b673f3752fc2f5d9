"""The HTTP API (`promptsync serve`): prompts as the runtime serves them, previews, edits that
become git commits, the audit log, status, the GitHub webhook, health and metrics.

    app.py       create_app(ctx): the FastAPI application, its routers, handlers and docs
    context.py   ApiContext: what every route works with (settings, reader, engine, keys)
    problems.py  Problem and the handlers that answer every error as application/problem+json
    auth.py      Scope, Caller, require(scope): the API keys of a request
    keys.py      the keys file: hashed keys, their scope and brands (no FastAPI: the CLI uses it)
    models.py    the pydantic models the routes share (a prompt as served, a finding)
    routes/      one module per group of routes, each with its `router`
"""
