"""Signed session cookies: a session secret and expiry, HMAC-SHA256 with the secret key.

The signature lets pages tell a well-formed cookie from junk without the database; whether
the session still exists (not signed out, not revoked) is the `user_sessions` row's say.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

SESSION_COOKIE = "ugc_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def new_session_secret() -> str:
    """A fresh random session secret; the database keeps only its hash."""
    return secrets.token_urlsafe(32)


def session_hash(session_secret: str) -> str:
    """The stored form of a session secret."""
    return hashlib.sha256(session_secret.encode()).hexdigest()


def make_session_value(secret: str, session_secret: str, max_age: int) -> str:
    """The cookie value carrying `session_secret` for `max_age` seconds."""
    payload = _b64(json.dumps({"s": session_secret, "e": int(time.time()) + max_age}).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read_session_value(secret: str, value: str) -> str | None:
    """The session secret in a validly signed, unexpired cookie value; None otherwise."""
    payload, _, signature = value.partition(".")
    if not signature or not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        if int(data["e"]) < time.time():
            return None
        session_secret = data["s"]
        return session_secret if isinstance(session_secret, str) and session_secret else None
    except (ValueError, KeyError, TypeError):
        return None
