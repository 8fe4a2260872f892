"""Account and token bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from ugc.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ugc.schemas import ApiModel
from ugc.text import SingleLineText


class Credentials(ApiModel):
    """Email and password, for sign-up and sign-in."""

    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class NewAccount(Credentials):
    """Email and password for sign-up: the password rules are stated in the schema."""

    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class PasswordChange(ApiModel):
    """The current password and the new one."""

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class VerificationToken(ApiModel):
    """The token from an email verification link."""

    token: str = Field(min_length=1, max_length=1000)


class UserOut(ApiModel):
    """The public view of an account."""

    id: uuid.UUID
    email: str | None
    credits: int
    email_verified_at: datetime | None = None


class UserEnvelope(ApiModel):
    """{"user": ...}."""

    user: UserOut


class TokenResponse(BaseModel):
    """OAuth2 password-flow answer (snake_case, as the OAuth2 spec names it)."""

    access_token: str
    token_type: str = "bearer"


class NewToken(ApiModel):
    """A name for a new API token."""

    name: SingleLineText = Field(default="API token", max_length=120)


class TokenOut(ApiModel):
    """An API token as listed (never its secret)."""

    id: uuid.UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None


class CreatedToken(ApiModel):
    """A newly created token with its secret, shown once."""

    token: TokenOut
    secret: str


class TokenList(ApiModel):
    """{"tokens": [...]}."""

    tokens: list[TokenOut]
