"""Every account and API-token query."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import ApiToken, User, UserSession
from ugc.db.base import utcnow

LAST_USED_PRECISION = timedelta(minutes=1)


class UserRepository:
    """Accounts for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        """The user with this id."""
        return await self.session.get(User, user_id, populate_existing=True)

    async def by_email(self, email: str) -> User | None:
        """The user with this (normalised) email."""
        return await self.session.scalar(select(User).where(User.email == email))

    async def by_external_id(self, external_id: str) -> User | None:
        """The user linked to this external identity (OIDC `sub`)."""
        return await self.session.scalar(select(User).where(User.external_id == external_id))

    async def set_password_hash(self, user_id: uuid.UUID, password_hash: str) -> None:
        """Replace a user's password hash."""
        await self.session.execute(
            update(User).where(User.id == user_id).values(password_hash=password_hash)
        )

    async def mark_email_verified(self, user_id: uuid.UUID, email: str) -> bool:
        """Record that `email` is verified; False when the account's email has changed since."""
        result = await self.session.execute(
            update(User)
            .where(User.id == user_id, User.email == email)
            .values(email_verified_at=func.coalesce(User.email_verified_at, utcnow()))
        )
        return bool(getattr(result, "rowcount", 0))

    async def insert(self, user: User) -> bool:
        """Insert in a savepoint; False when a unique email/external id already exists."""
        try:
            async with self.session.begin_nested():
                self.session.add(user)
        except IntegrityError:
            return False
        return True


class TokenRepository:
    """API tokens for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: ApiToken) -> None:
        """Store a new token record."""
        self.session.add(token)
        await self.session.flush()

    async def exists(self, user_id: uuid.UUID, token_hash: str) -> bool:
        """True while this user's token with this hash has not been revoked."""
        query = select(ApiToken.id).where(
            ApiToken.token_hash == token_hash, ApiToken.user_id == user_id
        )
        return await self.session.scalar(query) is not None

    async def user_for_hash(self, token_hash: str) -> User | None:
        """The owner of the token with this hash, marking it used (at most once a minute)."""
        # One round trip for token and owner: this runs on every bearer request.
        row = (
            await self.session.execute(
                select(User, ApiToken.id, ApiToken.last_used_at)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == token_hash)
            )
        ).first()
        if row is None:
            return None
        user, token_id, last_used_at = row
        now = utcnow()
        # Writing on every request would serialise a busy client's requests on this row.
        if last_used_at is None or now - last_used_at > LAST_USED_PRECISION:
            await self.session.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
        return user

    async def for_user(self, user_id: uuid.UUID) -> Sequence[ApiToken]:
        """A user's tokens, newest first."""
        query = (
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        )
        return (await self.session.scalars(query)).all()

    async def delete(self, user_id: uuid.UUID, token_id: uuid.UUID) -> bool:
        """Delete a user's token; False when there is no such token of theirs."""
        result = await self.session.execute(
            delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))


class SessionRepository:
    """Browser sessions for one database session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: UserSession) -> None:
        """Store a new session, dropping the user's expired ones on the way."""
        await self.session.execute(
            delete(UserSession).where(
                UserSession.user_id == record.user_id, UserSession.expires_at <= utcnow()
            )
        )
        self.session.add(record)
        await self.session.flush()

    async def user_for_hash(self, token_hash: str) -> User | None:
        """The owner of the live session with this hash (one round trip: every request)."""
        query = (
            select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == token_hash, UserSession.expires_at > utcnow())
            .execution_options(populate_existing=True)
        )
        return await self.session.scalar(query)

    async def delete_by_hash(self, token_hash: str) -> None:
        """End the session with this hash, if it still exists."""
        await self.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash))

    async def delete_for_user(self, user_id: uuid.UUID) -> int:
        """End every session of a user; how many there were."""
        result = await self.session.execute(
            delete(UserSession).where(UserSession.user_id == user_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)
