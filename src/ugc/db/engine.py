"""Async engine and session factory for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from ugc.db.reader import AsyncpgReader, InlineSQLiteReader, Reader


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
    )

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
        self.reader: Reader
        self._inline: InlineSQLiteReader | None = None
        self._asyncpg: AsyncpgReader | None = None
        if url.startswith("sqlite"):
            database = make_url(url).database
            if not database or database == ":memory:":
                # Each pooled connection would open a database of its own.
                raise ValueError("SQLite needs a database file, not an in-memory database")
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # One connection per process side: SQLite has one writer anyway, and a
            # queue in the pool is fairer and faster than the busy-handler's sleeps.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        else:
            # Recycle instead of pinging before every checkout: a ping is a round trip per request.
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
        self.engine = create_async_engine(url, **kwargs)
        # Pure reads: no write lock, no BEGIN/COMMIT round trips. Each statement is its own
        # transaction, so it sees one consistent, committed state.
        if url.startswith("sqlite"):
            _prepare_sqlite(self.engine.sync_engine)
            self.reader = self._inline = InlineSQLiteReader(_inline_sqlite_engine(url))
        else:
            self.reader = self._asyncpg = AsyncpgReader(
                url, self.engine.dialect, max_size=pool_size
            )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        """A new session; the caller commits (the request dependency or the job runner)."""
        return self.sessionmaker()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self._inline is not None:
            self._inline.engine.dispose()
        if self._asyncpg is not None:
            await self._asyncpg.close()
