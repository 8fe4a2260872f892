"""Who is calling: session cookie, API token or OIDC bearer JWT."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth import service
from ugc.auth.cookies import SESSION_COOKIE, read_session_value, session_hash
from ugc.auth.models import User
from ugc.auth.queries import Caller, caller_for_session_hash, caller_for_token_hash
from ugc.auth.repository import TokenRepository, UserRepository
from ugc.auth.sessions import user_for_cookie
from ugc.config import Settings
from ugc.db.session import ReadConnectionDep, SessionDep, commit_session, rollback_session
from ugc.errors import Forbidden, NotAuthenticated

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def app_settings(request: Request) -> Settings:
    """The settings the running app was built with."""
    settings: Settings = request.app.state.settings
    return settings


# Dependencies are `async def` even when they do not await: FastAPI runs a plain `def`
# dependency in a worker thread, a thread hop on every request.
async def get_app_settings(request: Request) -> Settings:
    """The running app's settings, as a dependency."""
    return app_settings(request)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


def _check_same_origin(request: Request, settings: Settings) -> None:
    """Refuse cookie-authenticated writes sent from another site (CSRF)."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden("Requests from other sites are not allowed.")
    origin = request.headers.get("origin")
    if origin is None:  # not a browser cross-origin request; SameSite=Lax covers forms
        return
    allowed = {f"{request.url.scheme}://{request.url.netloc}"}
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        allowed.add(f"{parts.scheme}://{parts.netloc}")
    if origin not in allowed:
        raise Forbidden("Requests from other sites are not allowed.")


async def _user_from_bearer(request: Request, session: SessionDep, token: str) -> User:
    settings = app_settings(request)
    if token.startswith(service.TOKEN_PREFIX):
        user = await service.user_for_api_token(session, token)
        if user is None:
            raise NotAuthenticated("This API token is not valid; it may have been revoked.")
        return user
    verifier = getattr(request.app.state, "oidc", None)
    if verifier is None:
        raise NotAuthenticated("This API token is not valid.")
    identity = await verifier.verify(token)
    return await service.user_for_external_id(
        session, identity.subject, identity.email, signup_credits=settings.signup_credits
    )


async def optional_user(request: Request, session: SessionDep) -> User | None:
    """The caller, or None when the request carries no credentials at all."""
    token = _bearer(request)
    if token is not None:
        return await _user_from_bearer(request, session, token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    settings = app_settings(request)
    user = await user_for_cookie(session, request.app.state.secret_key, cookie)
    if user is None:
        raise NotAuthenticated("Your session has expired. Sign in again.")
    _check_same_origin(request, settings)
    return user


async def credentials_still_valid(
    request: Request, session: AsyncSession, user_id: uuid.UUID
) -> bool:
    """True while the credentials this request came with still sign in `user_id`.

    For long-lived responses (event streams): a revoked token, an ended session or an
    expired identity token ends them. Creates nothing and links nothing, unlike sign-in.
    """
    token = _bearer(request)
    if token is not None and token.startswith(service.TOKEN_PREFIX):
        return await TokenRepository(session).exists(user_id, service.hash_token(token))
    if token is not None:
        verifier = getattr(request.app.state, "oidc", None)
        if verifier is None:
            return False
        try:
            identity = await verifier.verify(token)
        except NotAuthenticated:
            return False
        user = await UserRepository(session).by_external_id(identity.subject)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = await user_for_cookie(session, request.app.state.secret_key, cookie or "")
    return user is not None and user.id == user_id


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The caller; 401 when unauthenticated."""
    if user is None:
        raise NotAuthenticated()
    return user


async def page_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user for rendering a page; None when signed out or expired."""
    try:
        return await optional_user(request, session)
    except NotAuthenticated:
        return None


async def _caller_from_identity_provider(request: Request, token: str) -> Caller:
    """An OIDC caller; the first request of a new identity creates its account (a write)."""
    async with request.app.state.db.session() as session:
        try:
            user = await _user_from_bearer(request, session, token)
        except BaseException:
            await rollback_session(session)
            raise
        await commit_session(session)
    return Caller.of(user)


async def optional_caller(request: Request, connection: ReadConnectionDep) -> Caller | None:
    """`optional_user` for routes that only read: Core queries on a read connection."""
    token = _bearer(request)
    if token is not None and token.startswith(service.TOKEN_PREFIX):
        caller = await caller_for_token_hash(connection, service.hash_token(token))
        if caller is None:
            raise NotAuthenticated("This API token is not valid; it may have been revoked.")
        return caller
    if token is not None:
        return await _caller_from_identity_provider(request, token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    session_secret = read_session_value(request.app.state.secret_key, cookie)
    caller = (
        await caller_for_session_hash(connection, session_hash(session_secret))
        if session_secret
        else None
    )
    if caller is None:
        raise NotAuthenticated("Your session has expired. Sign in again.")
    _check_same_origin(request, app_settings(request))
    return caller


async def current_caller(caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """The caller of a read route; 401 when unauthenticated."""
    if caller is None:
        raise NotAuthenticated()
    return caller


CurrentUser = Annotated[User, Depends(current_user)]
# For GET routes: the same identity rules as CurrentUser, read without a transaction.
CurrentCaller = Annotated[Caller, Depends(current_caller)]
PageUser = Annotated[User | None, Depends(page_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
