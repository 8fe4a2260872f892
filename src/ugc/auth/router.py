"""HTTP for accounts: sign up, sign in/out, tokens, the current user."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from ugc.auth import service, sessions, verification
from ugc.auth.cookies import SESSION_COOKIE, make_session_value
from ugc.auth.deps import app_settings
from ugc.auth.models import User
from ugc.auth.proxies import client_address
from ugc.auth.ratelimit import Attempt, Limit, LoginRateLimiter
from ugc.auth.schemas import (
    CreatedToken,
    Credentials,
    NewAccount,
    NewToken,
    PasswordChange,
    TokenList,
    TokenOut,
    TokenResponse,
    UserEnvelope,
    UserOut,
    VerificationToken,
)
from ugc.config import Settings
from ugc.db.session import after_commit
from ugc.deps import CurrentUser, SessionDep, SettingsDep
from ugc.errors import (
    BadRequest,
    EmailTaken,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    UGCError,
    documented,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["auth"])
# Routes for the signed-in caller; cookie writes from other sites are refused.
SIGNED_IN = (NotAuthenticated,)
SIGNED_IN_WRITE = (NotAuthenticated, Forbidden)


async def _start_session(
    request: Request, response: Response, session: SessionDep, user: User, settings: Settings
) -> None:
    """Record a new session and hand the browser its cookie."""
    max_age = settings.session_days * 86400
    session_secret = await sessions.start_session(session, user, max_age)
    response.set_cookie(
        SESSION_COOKIE,
        make_session_value(request.app.state.secret_key, session_secret, max_age),
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _sign_in_limits(settings: Settings, email: str, address: str) -> tuple[Limit, ...]:
    """One account from one address (cleared by a success), one address, one account."""
    account = service.normalise_email(email)
    return (
        Limit(f"account-address:{account}|{address}", settings.login_attempts_per_window),
        Limit(f"address:{address}", settings.login_address_attempts_per_window),
        # Far above the first: strangers' failures alone cannot lock the owner out.
        Limit(f"account:{account}", settings.login_account_attempts_per_window),
    )


async def _sign_in(request: Request, session: SessionDep, email: str, password: str) -> User:
    """Authenticate under the per-account+address, per-address and per-account limits."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    address = client_address(request.scope)
    wait, attempt = await limiter.begin(*_sign_in_limits(app_settings(request), email, address))
    if wait:
        log.info("sign-in refused by the attempt limit, client %s", address)
        raise TooManyRequests(
            f"Too many sign-in attempts. Try again in {wait} seconds.", retry_after=wait
        )
    user = await service.authenticate(session, email, password)  # a failure stays counted
    if attempt is not None:
        await limiter.succeeded(attempt)
    return user


async def _count_signup(request: Request, settings: Settings) -> Attempt | None:
    """Count a sign-up against the client's address, or refuse it (429)."""
    limiter: LoginRateLimiter = request.app.state.signup_limiter
    address = client_address(request.scope)
    limit = Limit(f"address:{address}", settings.signup_attempts_per_window)
    wait, attempt = await limiter.begin(limit)
    if wait:
        log.info("sign-up refused by the per-address limit, client %s", address)
        raise TooManyRequests(
            f"Too many accounts created from your address. Try again in {wait} seconds.",
            retry_after=wait,
        )
    return attempt


def _mail_verification_after_commit(request: Request, session: SessionDep, user: User) -> None:
    if user.email is None:
        return
    # Plain values: after the commit the ORM object's attributes are expired.
    account = verification.VerifiedEmail(user.id, user.email)

    async def send() -> None:
        await verification.send_verification(
            request.app.state.mailer,
            app_settings(request),
            request.app.state.secret_key,
            account,
            str(request.base_url),
        )

    after_commit(session, send)


@router.post(
    "/api/auth/signup",
    status_code=status.HTTP_201_CREATED,
    responses=documented(EmailTaken, InvalidInput, TooManyRequests),
)
async def signup(
    body: NewAccount,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> UserEnvelope:
    """Create an account, start a session and email a verification link."""
    attempt = await _count_signup(request, settings)
    credits = 0 if settings.signup_credits_require_verified else settings.signup_credits
    try:
        user = await service.sign_up(session, body.email, body.password, signup_credits=credits)
    except UGCError:
        if attempt is not None:  # refused input (taken email, weak password) is no account
            await request.app.state.signup_limiter.cancel(attempt)
        raise
    await _start_session(request, response, session, user, settings)
    _mail_verification_after_commit(request, session, user)
    return UserEnvelope(user=UserOut.model_validate(user, from_attributes=True))


@router.post("/api/auth/verify-email", responses=documented(InvalidInput))
async def verify_email(
    body: VerificationToken, request: Request, session: SessionDep, settings: SettingsDep
) -> UserEnvelope:
    """Confirm an email address with the token from its verification link."""
    user = await verification.verify_email(
        session, settings, request.app.state.secret_key, body.token
    )
    return UserEnvelope(user=UserOut.model_validate(user, from_attributes=True))


@router.post(
    "/api/auth/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(*SIGNED_IN_WRITE, BadRequest, TooManyRequests),
)
async def resend_verification(
    user: CurrentUser, request: Request, session: SessionDep, settings: SettingsDep
) -> None:
    """Email the verification link again (limited like sign-ups)."""
    if user.email is None or user.email_verified_at is not None:
        raise BadRequest("This account has no email address waiting to be verified.")
    limiter: LoginRateLimiter = request.app.state.signup_limiter
    limit = Limit(f"resend:{user.id}", settings.signup_attempts_per_window)
    wait, _ = await limiter.begin(limit)
    if wait:
        raise TooManyRequests(
            f"Too many verification emails. Try again in {wait} seconds.", retry_after=wait
        )
    _mail_verification_after_commit(request, session, user)


@router.post("/api/auth/login", responses=documented(NotAuthenticated, TooManyRequests))
async def login(
    body: Credentials,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> UserEnvelope:
    """Start a browser session."""
    user = await _sign_in(request, session, body.email, body.password)
    await _start_session(request, response, session, user, settings)
    return UserEnvelope(user=UserOut.model_validate(user, from_attributes=True))


def _clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


@router.post("/api/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, response: Response, session: SessionDep) -> None:
    """End this browser session: the cookie, even if kept, no longer signs anyone in."""
    cookie = request.cookies.get(SESSION_COOKIE)
    await sessions.end_session(session, request.app.state.secret_key, cookie)
    _clear_session_cookie(response)


@router.delete(
    "/api/auth/sessions",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(*SIGNED_IN_WRITE),
)
async def sign_out_everywhere(user: CurrentUser, response: Response, session: SessionDep) -> None:
    """End every browser session of the caller, this one included (API tokens stay)."""
    await sessions.revoke_all_sessions(session, user.id)
    _clear_session_cookie(response)


@router.post(
    "/api/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(*SIGNED_IN_WRITE, InvalidInput, TooManyRequests),
)
async def change_password(
    body: PasswordChange,
    user: CurrentUser,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> None:
    """Change the password (the current one is required); other sessions end, this one stays."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    limits = _sign_in_limits(settings, user.email or str(user.id), client_address(request.scope))
    wait, attempt = await limiter.begin(*limits)  # guessing the current password is slow too
    if wait:
        raise TooManyRequests(
            f"Too many password attempts. Try again in {wait} seconds.", retry_after=wait
        )
    await service.change_password(session, user, body.current_password, body.new_password)
    if attempt is not None:
        await limiter.succeeded(attempt)
    if request.cookies.get(SESSION_COOKIE):
        await _start_session(request, response, session, user, settings)


@router.post(
    "/api/auth/token", responses=documented(NotAuthenticated, InvalidInput, TooManyRequests)
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, session: SessionDep
) -> TokenResponse:
    """OAuth2 password flow: exchange email + password for a bearer API token."""
    user = await _sign_in(request, session, form.username, form.password)
    _, secret = await service.create_api_token(session, user, form.client_id or "API token")
    return TokenResponse(access_token=secret)


@router.get("/api/auth/tokens", responses=documented(*SIGNED_IN))
async def list_tokens(user: CurrentUser, session: SessionDep) -> TokenList:
    """The caller's API tokens (without secrets)."""
    tokens = await service.list_api_tokens(session, user)
    return TokenList(tokens=[TokenOut.model_validate(t, from_attributes=True) for t in tokens])


@router.post(
    "/api/auth/tokens",
    status_code=status.HTTP_201_CREATED,
    responses=documented(*SIGNED_IN_WRITE, InvalidInput),
)
async def create_token(body: NewToken, user: CurrentUser, session: SessionDep) -> CreatedToken:
    """Create an API token; its secret is in this answer only."""
    record, secret = await service.create_api_token(session, user, body.name)
    return CreatedToken(token=TokenOut.model_validate(record, from_attributes=True), secret=secret)


@router.delete(
    "/api/auth/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(*SIGNED_IN_WRITE, NotFound),
)
async def revoke_token(token_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Revoke one of the caller's API tokens."""
    await service.revoke_api_token(session, user, token_id)


@router.get("/api/user/me", responses=documented(*SIGNED_IN))
async def me(user: CurrentUser) -> UserOut:
    """The caller's account."""
    return UserOut.model_validate(user, from_attributes=True)
