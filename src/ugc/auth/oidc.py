"""Clerk / OIDC bearer JWTs, verified against the provider's JWKS."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKClient

from ugc.config import Settings
from ugc.errors import NotAuthenticated

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a verified token speaks for."""

    subject: str
    email: str | None
    email_verified: bool = False


class OidcVerifier:
    """Checks signature, issuer, expiry/not-before, audience and authorized party."""

    def __init__(self, settings: Settings) -> None:
        if not settings.oidc_issuer:
            raise ValueError("UGC_OIDC_ISSUER is not set")
        self.issuer = settings.oidc_issuer.rstrip("/")
        jwks_url = settings.oidc_jwks_url or f"{self.issuer}/.well-known/jwks.json"
        self.audience = settings.oidc_audience
        self.parties = set(settings.oidc_authorized_parties)
        # PyJWKClient caches keys and refetches when it sees an unknown key id.
        self._jwks = PyJWKClient(jwks_url, cache_keys=True, lifespan=600, timeout=10)

    def _decode(self, token: str) -> dict[str, Any]:
        key = self._jwks.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            issuer=self.issuer,
            audience=self.audience,
            options={
                "require": ["exp", "iss", "sub"],
                "verify_aud": self.audience is not None,
            },
            leeway=5,
        )
        return claims

    async def verify(self, token: str) -> Identity:
        """The identity in a valid token; NotAuthenticated for anything else."""
        try:
            claims = await asyncio.to_thread(self._decode, token)
        except jwt.PyJWKClientError as exc:
            log.warning("oidc key lookup failed: %s", exc)
            raise NotAuthenticated("Your sign-in token could not be verified.") from None
        except jwt.InvalidTokenError as exc:
            raise NotAuthenticated(f"Your sign-in token was refused: {exc}.") from None
        party = claims.get("azp")
        if self.parties and party not in self.parties:
            raise NotAuthenticated("Your sign-in token was issued for another site.")
        email = claims.get("email")
        return Identity(
            subject=str(claims["sub"]),
            email=email if isinstance(email, str) else None,
            email_verified=claims.get("email_verified") is True,
        )
