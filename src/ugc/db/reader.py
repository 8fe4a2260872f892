"""Read-only statement runners for the GET routes.

PostgreSQL reads go through the async driver on a connection in AUTOCOMMIT mode: no
BEGIN/COMMIT round trips. SQLite reads run inline on the event loop through the standard
`sqlite3` module: an indexed read of a WAL database never waits for a lock and takes tens of
microseconds, while a trip to aiosqlite's thread and back costs more than the query itself,
several times per statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Engine, Executable, Row
from sqlalchemy.ext.asyncio import AsyncEngine

AnyRow = Row[*tuple[Any, ...]]
Parameters = Mapping[str, Any] | None


class Reader(Protocol):
    """Runs one read statement and returns its rows."""

    async def first(self, statement: Executable, parameters: Parameters = None) -> AnyRow | None:
        """The first row, or None."""
        ...

    async def all(self, statement: Executable, parameters: Parameters = None) -> Sequence[AnyRow]:
        """Every row."""
        ...


class PooledReader:
    """Reads through an async engine (PostgreSQL, in AUTOCOMMIT mode).

    Each statement checks a connection out and back in: a request holds none while it
    does other work, and needs no per-request set-up and tear-down.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def first(self, statement: Executable, parameters: Parameters = None) -> AnyRow | None:
        """The first row, or None."""
        async with self.engine.connect() as connection:
            return (await connection.execute(statement, parameters)).first()

    async def all(self, statement: Executable, parameters: Parameters = None) -> Sequence[AnyRow]:
        """Every row."""
        async with self.engine.connect() as connection:
            return (await connection.execute(statement, parameters)).all()


class InlineSQLiteReader:
    """Reads SQLite on the calling thread, each statement on its own (autocommit)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def first(self, statement: Executable, parameters: Parameters = None) -> AnyRow | None:
        """The first row, or None."""
        with self.engine.connect() as connection:
            return connection.execute(statement, parameters).first()

    async def all(self, statement: Executable, parameters: Parameters = None) -> Sequence[AnyRow]:
        """Every row."""
        with self.engine.connect() as connection:
            return connection.execute(statement, parameters).all()
