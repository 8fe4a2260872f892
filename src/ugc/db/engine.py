"""Async engine and session factory for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from ugc.db.reader import InlineSQLiteReader, PooledReader, Reader

READ_ONLY_OPTION = "ugc_read_only"


def _prepare_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transaction start (pysqlite quirk).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            return  # no BEGIN: each statement is its own transaction (see Database.reader)
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY
        # when another process wrote meanwhile; IMMEDIATE takes the write lock up front.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _inline_sqlite_engine(url: str) -> Engine:
    """A synchronous, read-only SQLite engine for reads on the event loop thread."""
    engine = create_engine(
        make_url(url).set(drivername="sqlite+pysqlite"),
        # One connection, used by one thread: statements run to completion one at a time.
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},
    ).execution_options(**{READ_ONLY_OPTION: True})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Never takes the write lock, so never waits for it; a WAL reader waits only while
        # a crashed writer's log is recovered.
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA busy_timeout=1000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        return  # no BEGIN: each statement is its own transaction

    return engine


class Database:
    """One engine and its session factory, bound to the event loop that uses them."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        self._inline: InlineSQLiteReader | None = None
        if url.startswith("sqlite"):
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                self._inline = InlineSQLiteReader(_inline_sqlite_engine(url))
            # One connection per process side: SQLite has one writer anyway, and a
            # queue in the pool is fairer and faster than the busy-handler's sleeps.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        else:
            # Recycle instead of pinging before every checkout: a ping is a round trip per request.
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
        self.engine = create_async_engine(url, **kwargs)
        self._read_engine: AsyncEngine | None = None
        if url.startswith("sqlite"):
            _prepare_sqlite(self.engine.sync_engine)
            read_engine = self.engine.execution_options(**{READ_ONLY_OPTION: True})
        else:
            # A pool of its own in AUTOCOMMIT: no BEGIN/COMMIT round trips, and nothing to
            # set and reset on each checkout (as an isolation option per connection would).
            read_engine = self._read_engine = create_async_engine(
                url,
                isolation_level="AUTOCOMMIT",
                pool_reset_on_return=None,
                **kwargs,
            )
        # Pure reads: no write lock, no BEGIN/COMMIT round trips. Each statement is its own
        # transaction, so it sees one consistent, committed state.
        self.reader: Reader = self._inline or PooledReader(read_engine)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        """A new session; the caller commits (the request dependency or the job runner)."""
        return self.sessionmaker()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self._inline is not None:
            self._inline.engine.dispose()
        if self._read_engine is not None:
            await self._read_engine.dispose()
