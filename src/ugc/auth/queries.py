"""Read-path account queries: the caller of a GET, in one Core statement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ugc.auth.models import ApiToken, User, UserSession
from ugc.auth.repository import LAST_USED_PRECISION
from ugc.db.base import utcnow

_users = cast(Table, User.__table__)
_tokens = cast(Table, ApiToken.__table__)
_sessions = cast(Table, UserSession.__table__)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends a read request: what the GET routes need of the account."""

    id: uuid.UUID
    email: str | None
    credits: int

    @classmethod
    def of(cls, user: Any) -> Caller:
        """The caller behind a `User` (or a row with its columns)."""
        return cls(id=user.id, email=user.email, credits=user.credits)


# Built once: SQLAlchemy then reuses the statement's cache key instead of rebuilding it.
_CALLER_BY_TOKEN = (
    select(
        _users.c.id,
        _users.c.email,
        _users.c.credits,
        _tokens.c.id.label("token_id"),
        _tokens.c.last_used_at,
    )
    .join_from(_tokens, _users, _tokens.c.user_id == _users.c.id)
    .where(_tokens.c.token_hash == bindparam("token_hash"))
)
_CALLER_BY_SESSION = (
    select(_users.c.id, _users.c.email, _users.c.credits)
    .join_from(_sessions, _users, _sessions.c.user_id == _users.c.id)
    .where(_sessions.c.token_hash == bindparam("token_hash"))
    .where(_sessions.c.expires_at > bindparam("now"))
)
_MARK_USED = (
    update(_tokens)
    .where(_tokens.c.id == bindparam("token_id"))
    .values(last_used_at=bindparam("used_at"))
)


async def caller_for_token_hash(connection: AsyncConnection, token_hash: str) -> Caller | None:
    """The owner of the token with this hash, marking it used (at most once a minute)."""
    row = (await connection.execute(_CALLER_BY_TOKEN, {"token_hash": token_hash})).first()
    if row is None:
        return None
    now = utcnow()
    # Writing on every request would serialise a busy client's requests on this row.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        await connection.execute(_MARK_USED, {"token_id": row.token_id, "used_at": now})
    return Caller.of(row)


async def caller_for_session_hash(connection: AsyncConnection, token_hash: str) -> Caller | None:
    """The owner of the live browser session with this hash (ended sessions sign nobody in)."""
    params = {"token_hash": token_hash, "now": utcnow()}
    row = (await connection.execute(_CALLER_BY_SESSION, params)).first()
    return None if row is None else Caller.of(row)
