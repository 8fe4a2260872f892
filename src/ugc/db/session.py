"""The request session: the one place a request's transaction commits or rolls back.

Work that must happen only once the transaction is durable (sending a job message)
is registered with `after_commit` and runs right after the commit succeeds; a rollback
drops it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, action: AfterCommit) -> None:
    """Run `action` after this session's transaction commits."""
    session.info.setdefault("after_commit", []).append(action)


def on_rollback(session: AsyncSession, action: AfterCommit) -> None:
    """Run `action` if this session's transaction is rolled back (undo side effects)."""
    session.info.setdefault("on_rollback", []).append(action)


async def rollback_session(session: AsyncSession) -> None:
    """Roll back, drop pending after-commit work, and undo registered side effects."""
    session.info.pop("after_commit", None)
    await session.rollback()
    for action in session.info.pop("on_rollback", []):
        await action()


async def commit_session(session: AsyncSession) -> None:
    """Commit, then run the actions registered with `after_commit`."""
    try:
        await session.commit()
    except BaseException:
        await rollback_session(session)
        raise
    session.info.pop("on_rollback", None)
    actions: list[AfterCommit] = session.info.pop("after_commit", [])
    for action in actions:
        await action()


async def end_transaction(session: AsyncSession) -> None:
    """Commit the request's work so far and give its connection back to the pool.

    For a request about to spend seconds without the database (decoding uploads): on
    SQLite an open transaction holds the one write lock, on PostgreSQL a pooled
    connection. The session stays usable; its next query begins a new transaction,
    which the session dependency commits as usual.
    """
    await commit_session(session)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield the request's session; commit when the endpoint succeeds, else roll back."""
    async with request.app.state.db.session() as session:
        try:
            yield session
        except BaseException:
            await rollback_session(session)
            raise
        await commit_session(session)


# "function" scope: commit before the response is sent, so a client that got 201
# always finds its data on the next request.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """Yield a connection for a request that only reads (see `Database.read`)."""
    async with request.app.state.db.read() as connection:
        yield connection


# Released before the response is serialised: the pool gets the connection back sooner.
ReadConnectionDep = Annotated[AsyncConnection, Depends(get_read_connection, scope="function")]
