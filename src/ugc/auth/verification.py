"""Email verification: a signed, expiring link; following it marks the email verified.

With UGC_SIGNUP_CREDITS_REQUIRE_VERIFIED the signup credits wait for that moment; they
are granted exactly once either way (see service.grant_signup_credits_once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.cookies import _b64, _unb64
from ugc.auth.models import User
from ugc.auth.repository import UserRepository
from ugc.auth.service import grant_signup_credits_once
from ugc.config import Settings
from ugc.errors import InvalidInput
from ugc.mail.base import Mailer, MailError, compose

log = logging.getLogger(__name__)

PURPOSE = b"ugc email verification"


@dataclass(frozen=True, slots=True)
class VerifiedEmail:
    """An account and the email address a link is (or was) made for."""

    user_id: uuid.UUID
    email: str


def _sign(secret_key: str, payload: str) -> str:
    # A key of its own: a verification signature can never pass as a session cookie's.
    key = hmac.new(secret_key.encode(), PURPOSE, hashlib.sha256).digest()
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def make_verification_token(
    secret_key: str, user_id: uuid.UUID, email: str, valid_hours: int
) -> str:
    """A token proving whoever holds it received mail at `email`."""
    claims = {"u": str(user_id), "m": email, "e": int(time.time()) + valid_hours * 3600}
    payload = _b64(json.dumps(claims).encode())
    return f"{payload}.{_sign(secret_key, payload)}"


def read_verification_token(secret_key: str, token: str) -> VerifiedEmail:
    """The account and email a token was made for; InvalidInput when forged or expired."""
    payload, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature, _sign(secret_key, payload)):
        raise InvalidInput("This verification link is not valid. Ask for a new one.")
    try:
        claims = json.loads(_unb64(payload))
        expires, user_id, email = int(claims["e"]), uuid.UUID(claims["u"]), str(claims["m"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("This verification link is not valid. Ask for a new one.") from None
    if expires < time.time():
        raise InvalidInput("This verification link has expired. Ask for a new one.")
    return VerifiedEmail(user_id, email)


async def verify_email(
    session: AsyncSession, settings: Settings, secret_key: str, token: str
) -> User:
    """Mark the email verified and grant the signup credits if the account never had them."""
    claim = read_verification_token(secret_key, token)
    users = UserRepository(session)
    if not await users.mark_email_verified(claim.user_id, claim.email):
        raise InvalidInput("This link was sent to an address the account no longer uses.")
    user = await users.get(claim.user_id)
    if user is None:  # deleted between the two statements
        raise InvalidInput("This verification link is not valid. Ask for a new one.")
    # Always offered: a no-op when they came at sign-up, and it settles accounts made while
    # UGC_SIGNUP_CREDITS_REQUIRE_VERIFIED was on even if it has been turned off since.
    await grant_signup_credits_once(session, user, settings.signup_credits)
    return user


def verification_link(origin: str, token: str) -> str:
    """The page a verification email links to."""
    return f"{origin.rstrip('/')}/verify-email?token={token}"


async def send_verification(
    mailer: Mailer, settings: Settings, secret_key: str, account: VerifiedEmail, origin: str
) -> bool:
    """Email an account its verification link; False (logged) when mail cannot go out."""
    token = make_verification_token(
        secret_key, account.user_id, account.email, settings.email_verification_hours
    )
    link = verification_link(settings.public_url or origin, token)
    credits = (
        f" and your {settings.signup_credits} free credits"
        if settings.signup_credits_require_verified and settings.signup_credits
        else ""
    )
    text = (
        "Welcome to UGC Studio.\n\n"
        f"Confirm this email address{credits} by opening this link within "
        f"{settings.email_verification_hours} hours:\n\n{link}\n\n"
        "If you did not create an account, ignore this message.\n"
    )
    message = compose(settings.mail_from, account.email, "Confirm your email address", text)
    try:
        await mailer.send(message)
    except MailError:
        log.warning("verification mail for user %s not sent", account.user_id, exc_info=True)
        return False
    return True
