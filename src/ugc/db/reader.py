"""Read-only statement runners for the GET routes.

PostgreSQL reads go straight through asyncpg on connections of their own, in autocommit and
read-only: no BEGIN/COMMIT round trips, and none of SQLAlchemy's per-execution work (pool
events, greenlet hops, compiled-cache look-ups, result wrapping), which cost three times the
query's own client time. The statements are still SQLAlchemy Core, compiled once each.
SQLite reads run inline on the event loop through the standard `sqlite3` module: an indexed
read of a WAL database never waits for a lock and takes tens of microseconds, while a trip to
aiosqlite's thread and back costs more than the query itself, several times per statement.
"""

from __future__ import annotations

import asyncio
import json
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect, make_url

# A row with one attribute per selected column: SQLAlchemy's Row, or the asyncpg reader's
# named tuple with the same names and the same Python values.
AnyRow = Any
Parameters = Mapping[str, Any] | None
Processor = Callable[[Any], Any] | None


class Reader(Protocol):
    """Runs one read statement and returns its rows."""

    async def first(self, statement: Select[Any], parameters: Parameters = None) -> AnyRow | None:
        """The first row, or None."""
        ...

    async def all(self, statement: Select[Any], parameters: Parameters = None) -> Sequence[AnyRow]:
        """Every row."""
        ...


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One statement as asyncpg runs it, with SQLAlchemy's type conversions on both sides."""

    statement: Select[Any]  # held so that its id() is not reused while cached
    sql: str
    parameters: tuple[tuple[str, Processor], ...]
    results: tuple[Processor, ...]
    row: Callable[..., Any]

    @classmethod
    async def prepare(
        cls, statement: Select[Any], dialect: Dialect, connection: asyncpg.Connection
    ) -> _Compiled:
        """Compile for asyncpg; the server's column types choose the result conversions, as
        a cursor's description does for SQLAlchemy."""
        compiled = statement.compile(dialect=dialect)
        sql = str(compiled)
        names = compiled.positiontup or []
        binds = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        )
        columns = list(statement.selected_columns)
        server_types = [a.type.oid for a in (await connection.prepare(sql)).get_attributes()]
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, oid)
            for column, oid in zip(columns, server_types, strict=True)
        )
        row = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]
        return cls(statement, sql, binds, results, row)

    def arguments(self, parameters: Parameters) -> list[Any]:
        given = parameters or {}
        return [
            given[name] if convert is None else convert(given[name])
            for name, convert in self.parameters
        ]

    def convert(self, record: asyncpg.Record) -> Any:
        return self.row(
            *(
                value if convert is None or value is None else convert(value)
                for value, convert in zip(record, self.results, strict=True)
            )
        )


async def _json_codecs(connection: asyncpg.Connection) -> None:
    """JSON columns arrive as Python values, as they do through SQLAlchemy's asyncpg dialect."""
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def _no_reset(connection: asyncpg.Connection) -> None:
    """Nothing to undo between checkouts: these connections only ever run single SELECTs
    (read-only at the server), so the default reset's extra round trip buys nothing."""


class AsyncpgReader:
    """Reads PostgreSQL through a small asyncpg pool of its own.

    Only module-level statements are expected (the read queries are built once, with bind
    parameters for everything that varies); the cache is emptied if anything else fills it.
    """

    MAX_STATEMENTS = 256

    def __init__(self, url: str, dialect: Dialect, *, max_size: int) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.dialect = dialect
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._compiled: dict[int, _Compiled] = {}

    async def first(self, statement: Select[Any], parameters: Parameters = None) -> AnyRow | None:
        """The first row, or None."""
        pool = self._pool or await self._open()
        compiled = self._compiled.get(id(statement)) or await self._compile(statement, pool)
        record = await pool.fetchrow(compiled.sql, *compiled.arguments(parameters))
        return None if record is None else compiled.convert(record)

    async def all(self, statement: Select[Any], parameters: Parameters = None) -> Sequence[AnyRow]:
        """Every row."""
        pool = self._pool or await self._open()
        compiled = self._compiled.get(id(statement)) or await self._compile(statement, pool)
        records = await pool.fetch(compiled.sql, *compiled.arguments(parameters))
        return [compiled.convert(record) for record in records]

    async def close(self) -> None:
        """Close the pool's connections."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _compile(self, statement: Select[Any], pool: asyncpg.Pool) -> _Compiled:
        if len(self._compiled) >= self.MAX_STATEMENTS:
            self._compiled.clear()
        async with pool.acquire() as connection:
            compiled = await _Compiled.prepare(statement, self.dialect, connection)
        self._compiled[id(statement)] = compiled
        return compiled

    async def _open(self) -> asyncpg.Pool:
        # Opened on first use, on the event loop that serves the requests.
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=1,
                    max_size=self.max_size,
                    init=_json_codecs,
                    reset=_no_reset,
                    server_settings={"default_transaction_read_only": "on"},
                )
            return self._pool


class InlineSQLiteReader:
    """Reads SQLite on the calling thread, each statement on its own (autocommit)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def first(self, statement: Select[Any], parameters: Parameters = None) -> AnyRow | None:
        """The first row, or None."""
        with self.engine.connect() as connection:
            return connection.execute(statement, parameters).first()

    async def all(self, statement: Select[Any], parameters: Parameters = None) -> Sequence[AnyRow]:
        """Every row."""
        with self.engine.connect() as connection:
            return connection.execute(statement, parameters).all()
