"""Browser sessions: started at sign-in, ended by sign-out, revoked all at once when needed."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.cookies import new_session_secret, read_session_value, session_hash
from ugc.auth.models import User, UserSession
from ugc.auth.repository import SessionRepository
from ugc.db.base import utcnow

log = logging.getLogger(__name__)


async def start_session(session: AsyncSession, user: User, max_age: int) -> str:
    """Record a new session for `user`; its secret, for the cookie only."""
    secret = new_session_secret()
    record = UserSession(
        id=uuid.uuid4(),
        user_id=user.id,
        token_hash=session_hash(secret),
        expires_at=utcnow() + timedelta(seconds=max_age),
    )
    await SessionRepository(session).add(record)
    return secret


async def user_for_cookie(session: AsyncSession, secret_key: str, cookie: str) -> User | None:
    """The user a session cookie signs in, while its session lives; else None."""
    session_secret = read_session_value(secret_key, cookie)
    if session_secret is None:
        return None
    return await SessionRepository(session).user_for_hash(session_hash(session_secret))


async def end_session(session: AsyncSession, secret_key: str, cookie: str | None) -> None:
    """End the session a cookie carries (sign out); a replayed copy then signs nobody in."""
    session_secret = read_session_value(secret_key, cookie) if cookie else None
    if session_secret is not None:
        await SessionRepository(session).delete_by_hash(session_hash(session_secret))


async def revoke_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> int:
    """End every browser session of a user (sign out everywhere, password change, deletion).

    Takes effect when the caller's transaction commits; returns how many sessions ended.
    """
    ended = await SessionRepository(session).delete_for_user(user_id)
    log.info("ended %d sessions of user %s", ended, user_id)
    return ended
