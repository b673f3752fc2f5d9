"""Where the fleet is read from: a Redis connection kept open, and the database whose published
commit readers should serve (the truth; Redis's own generation when there is no database).

Light without a database: `promptsync fleet` alone loads neither SQLAlchemy nor the reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptsync.cache.client import REDIS_ERRORS, connect
from promptsync.credentials import redact
from promptsync.errors import UnreachableError
from promptsync.fleet.view import DEFAULT_GRACE, Fleet, Published, read

if TYPE_CHECKING:
    from sqlalchemy import Engine

TIMEOUT = 2.0


class FleetSource:
    def __init__(self, redis_url: str, engine: Engine | None = None,
                 grace: float = DEFAULT_GRACE) -> None:
        self.redis_url, self.engine, self.grace = redis_url, engine, grace
        self._client = connect(redis_url, TIMEOUT)

    def look(self) -> Fleet:
        """The fleet now; UnreachableError (a usage-level error, exit 2) when Redis or the
        database cannot be read."""
        database = None if self.engine is None else _published(self.engine)
        try:
            return read(self._client, database, self.grace)
        except REDIS_ERRORS as exc:
            raise UnreachableError(f"Redis at {redact(self.redis_url)}: "
                                   f"{redact(str(exc))}") from None

    def close(self) -> None:
        self._client.close()


def _published(engine: Engine) -> Published:
    # Imported here: with an engine SQLAlchemy is loaded already; without one it never is.
    from sqlalchemy.exc import SQLAlchemyError

    from promptsync.store.engine import first_line
    from promptsync.store.state import read_state

    try:
        state = read_state(engine)
    except SQLAlchemyError as exc:
        raise UnreachableError(f"database: {first_line(exc)}") from None
    return Published(state.generation, state.commit)
