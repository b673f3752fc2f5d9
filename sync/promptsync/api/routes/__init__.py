"""One module per group of routes, each defining `router` (a fastapi.APIRouter) with its full
paths; `promptsync.api.app.create_app` includes every one it finds here."""
