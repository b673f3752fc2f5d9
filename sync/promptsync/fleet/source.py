"""Where the fleet is read from: a Redis connection kept open, and the database whose published
commit readers should serve (the truth; Redis's own generation when there is no database)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from promptsync.errors import UnreachableError
from promptsync.fleet.view import DEFAULT_GRACE, Fleet, Published, read
from promptsync.reader.redis_tier import REDIS_ERRORS, connect
from promptsync.settings import hide_password, redact
from promptsync.store.engine import first_line
from promptsync.store.state import read_state

TIMEOUT = 2.0


class FleetSource:
    def __init__(self, redis_url: str, engine: Engine | None = None,
                 grace: float = DEFAULT_GRACE) -> None:
        self.redis_url, self.engine, self.grace = redis_url, engine, grace
        self._client = connect(redis_url, TIMEOUT)

    def look(self) -> Fleet:
        """The fleet now; UnreachableError (a usage-level error, exit 2) when Redis or the
        database cannot be read."""
        database = None
        if self.engine is not None:
            try:
                state = read_state(self.engine)
            except SQLAlchemyError as exc:
                raise UnreachableError(f"database: {first_line(exc)}") from None
            database = Published(state.generation, state.commit)
        try:
            return read(self._client, database, self.grace)
        except REDIS_ERRORS as exc:
            raise UnreachableError(f"Redis at {hide_password(self.redis_url)}: "
                                   f"{redact(str(exc))}") from None

    def close(self) -> None:
        self._client.close()
