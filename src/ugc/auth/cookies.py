"""Signed session cookies: user id and expiry, HMAC-SHA256 with the secret key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

SESSION_COOKIE = "ugc_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def make_session_value(secret: str, user_id: uuid.UUID, max_age: int) -> str:
    """The cookie value that authenticates `user_id` for `max_age` seconds."""
    payload = _b64(json.dumps({"u": str(user_id), "e": int(time.time()) + max_age}).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read_session_value(secret: str, value: str) -> uuid.UUID | None:
    """The user id in a valid, unexpired cookie value; None otherwise."""
    payload, _, signature = value.partition(".")
    if not signature or not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        if int(data["e"]) < time.time():
            return None
        return uuid.UUID(data["u"])
    except (ValueError, KeyError, TypeError):
        return None
