"""HTTP for accounts: sign up, sign in/out, tokens, the current user."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from ugc.auth import service
from ugc.auth.cookies import SESSION_COOKIE, make_session_value
from ugc.auth.deps import CurrentUser, SettingsDep
from ugc.auth.models import User
from ugc.auth.ratelimit import LoginRateLimiter
from ugc.auth.schemas import (
    CreatedToken,
    Credentials,
    NewAccount,
    NewToken,
    TokenList,
    TokenOut,
    TokenResponse,
    UserEnvelope,
    UserOut,
)
from ugc.config import Settings
from ugc.db.session import SessionDep
from ugc.errors import TooManyRequests
from ugc.openapi import errors

router = APIRouter(tags=["auth"])


def _set_session_cookie(
    request: Request, response: Response, user: User, settings: Settings
) -> None:
    max_age = settings.session_days * 86400
    response.set_cookie(
        SESSION_COOKIE,
        make_session_value(request.app.state.secret_key, user.id, max_age),
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


async def _sign_in(request: Request, session: SessionDep, email: str, password: str) -> User:
    """Authenticate under the per-account and per-address rate limit."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    keys = (f"account:{service.normalise_email(email)}", f"address:{_client_address(request)}")
    wait, attempt = await limiter.begin(*keys)
    if wait:
        raise TooManyRequests(
            f"Too many sign-in attempts. Try again in {wait} seconds.", retry_after=wait
        )
    user = await service.authenticate(session, email, password)  # a failure stays counted
    if attempt is not None:
        await limiter.succeeded(attempt)
    return user


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/api/auth/signup", status_code=status.HTTP_201_CREATED, responses=errors(409))
async def signup(
    body: NewAccount,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> UserEnvelope:
    """Create an account with its signup credits and start a session."""
    user = await service.sign_up(
        session, body.email, body.password, signup_credits=settings.signup_credits
    )
    _set_session_cookie(request, response, user, settings)
    return UserEnvelope(user=UserOut.model_validate(user, from_attributes=True))


@router.post("/api/auth/login", responses=errors(401, 429))
async def login(
    body: Credentials,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> UserEnvelope:
    """Start a browser session."""
    user = await _sign_in(request, session, body.email, body.password)
    _set_session_cookie(request, response, user, settings)
    return UserEnvelope(user=UserOut.model_validate(user, from_attributes=True))


@router.post("/api/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(response: Response) -> None:
    """End the browser session."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


@router.post("/api/auth/token", responses=errors(401, 429))
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, session: SessionDep
) -> TokenResponse:
    """OAuth2 password flow: exchange email + password for a bearer API token."""
    user = await _sign_in(request, session, form.username, form.password)
    _, secret = await service.create_api_token(session, user, form.client_id or "API token")
    return TokenResponse(access_token=secret)


@router.get("/api/auth/tokens")
async def list_tokens(user: CurrentUser, session: SessionDep) -> TokenList:
    """The caller's API tokens (without secrets)."""
    tokens = await service.list_api_tokens(session, user)
    return TokenList(tokens=[TokenOut.model_validate(t, from_attributes=True) for t in tokens])


@router.post("/api/auth/tokens", status_code=status.HTTP_201_CREATED)
async def create_token(body: NewToken, user: CurrentUser, session: SessionDep) -> CreatedToken:
    """Create an API token; its secret is in this answer only."""
    record, secret = await service.create_api_token(session, user, body.name)
    return CreatedToken(token=TokenOut.model_validate(record, from_attributes=True), secret=secret)


@router.delete("/api/auth/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Revoke one of the caller's API tokens."""
    await service.revoke_api_token(session, user, token_id)


@router.get("/api/user/me")
async def me(user: CurrentUser) -> UserOut:
    """The caller's account."""
    return UserOut.model_validate(user, from_attributes=True)
