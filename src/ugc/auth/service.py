"""Account rules: sign up, sign in, API tokens, external identities."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import ApiToken, User
from ugc.auth.passwords import check_new_password, hash_password, verify_password
from ugc.auth.repository import TokenRepository, UserRepository
from ugc.auth.sessions import revoke_all_sessions
from ugc.credits.models import LedgerReason
from ugc.credits.service import add_credits, show_balance
from ugc.errors import EmailTaken, IdentityConflict, InvalidInput, NotAuthenticated, NotFound
from ugc.text import check_text

TOKEN_PREFIX = "ugc_"


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _grant_signup(session: AsyncSession, user: User, signup_credits: int) -> None:
    if signup_credits:
        balance = await add_credits(session, user.id, signup_credits, LedgerReason.SIGNUP)
        show_balance(user, balance)


async def sign_up(session: AsyncSession, email: str, password: str, *, signup_credits: int) -> User:
    """Create a password account with its signup credits, or raise Conflict."""
    check_new_password(password, email)
    user = User(
        id=uuid.uuid4(),
        email=normalise_email(email),
        # argon2 is deliberately slow: keep it off the event loop.
        password_hash=await asyncio.to_thread(hash_password, password),
        credits=0,
    )
    if not await UserRepository(session).insert(user):
        raise EmailTaken("An account with this email already exists. Sign in instead.")
    await _grant_signup(session, user, signup_credits)
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    """The user whose email and password match, or NotAuthenticated."""
    check_text("email", email)  # the token form's username is not an EmailStr
    user = await UserRepository(session).by_email(normalise_email(email))
    stored = user.password_hash if user else None
    if not await asyncio.to_thread(verify_password, stored, password) or user is None:
        raise NotAuthenticated("That email and password do not match an account.")
    return user


async def change_password(
    session: AsyncSession, user: User, current_password: str, new_password: str
) -> None:
    """Replace the password after checking the current one; every session ends."""
    if user.password_hash is None:
        raise InvalidInput("This account signs in with an external provider: it has no password.")
    if not await asyncio.to_thread(verify_password, user.password_hash, current_password):
        raise InvalidInput("Your current password is not right.")
    check_new_password(new_password, user.email)
    new_hash = await asyncio.to_thread(hash_password, new_password)
    await UserRepository(session).set_password_hash(user.id, new_hash)
    await revoke_all_sessions(session, user.id)


async def user_for_external_id(
    session: AsyncSession, external_id: str, email: str | None, *, signup_credits: int
) -> User:
    """The user for an OIDC `sub`, created with signup credits on first sight."""
    users = UserRepository(session)
    user = await users.by_external_id(external_id)
    if user is not None:
        return user
    user = User(id=uuid.uuid4(), external_id=external_id, credits=0)
    if email and await users.by_email(normalise_email(email)) is None:
        user.email = normalise_email(email)
    if not await users.insert(user):
        # Another request created it first.
        existing = await users.by_external_id(external_id)
        if existing is None:
            raise IdentityConflict("This identity could not be linked to an account.")
        return existing
    await _grant_signup(session, user, signup_credits)
    return user


async def create_api_token(session: AsyncSession, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token record and its secret (shown once, never stored)."""
    name = check_text("token name", name).strip() or "API token"
    if len(name) > 120:
        raise InvalidInput("Give the token a name of at most 120 characters.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(id=uuid.uuid4(), user_id=user.id, name=name, token_hash=hash_token(secret))
    await TokenRepository(session).add(token)
    return token, secret


async def list_api_tokens(session: AsyncSession, user: User) -> Sequence[ApiToken]:
    """The user's tokens, newest first."""
    return await TokenRepository(session).for_user(user.id)


async def revoke_api_token(session: AsyncSession, user: User, token_id: uuid.UUID) -> None:
    """Delete one of the user's tokens, or NotFound."""
    if not await TokenRepository(session).delete(user.id, token_id):
        raise NotFound("No such API token.")


async def user_for_api_token(session: AsyncSession, secret: str) -> User | None:
    """The owner of an API token secret."""
    return await TokenRepository(session).user_for_hash(hash_token(secret))
