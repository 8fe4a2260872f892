"""Async engine and session factory for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

READ_ONLY_OPTION = "ugc_read_only"
# SQLite readers never block each other under WAL: the read path gets connections of its own.
SQLITE_READ_POOL = 4


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so writers queue instead of failing."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transaction start (pysqlite quirk).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            # No BEGIN: each statement is its own transaction (see Database.read).
            return
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY
        # when another process wrote meanwhile; IMMEDIATE takes the write lock up front.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine and its session factory, bound to the event loop that uses them."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # One connection per process side: SQLite has one writer anyway, and a
            # queue in the pool is fairer and faster than the busy-handler's sleeps.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        else:
            # Recycle instead of pinging before every checkout: a ping is a round trip per request.
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
        self.engine = create_async_engine(url, **kwargs)
        self._sqlite_reader: AsyncEngine | None = None
        self.read_engine = self._build_read_engine(url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def _build_read_engine(self, url: str) -> AsyncEngine:
        """The engine of `read`: statements run outside any explicit transaction."""
        if not url.startswith("sqlite"):
            # Same pool; AUTOCOMMIT saves the BEGIN and COMMIT round trips of a read.
            return self.engine.execution_options(isolation_level="AUTOCOMMIT")
        _prepare_sqlite(self.engine)
        if make_url(url).database in (None, "", ":memory:"):
            return self.engine.execution_options(**{READ_ONLY_OPTION: True})
        self._sqlite_reader = create_async_engine(
            url, pool_size=SQLITE_READ_POOL, max_overflow=0, pool_timeout=60
        )
        _prepare_sqlite(self._sqlite_reader)
        return self._sqlite_reader.execution_options(**{READ_ONLY_OPTION: True})

    def session(self) -> AsyncSession:
        """A new session; the caller commits (the request dependency or the job runner)."""
        return self.sessionmaker()

    def read(self) -> AsyncConnection:
        """A connection for pure reads: no write lock, no BEGIN/COMMIT round trips.

        Each statement is its own transaction, so one statement sees one consistent state;
        a write issued here (a token's last-use time) commits by itself at once.
        """
        return self.read_engine.connect()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self._sqlite_reader is not None:
            await self._sqlite_reader.dispose()
