"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.

Used both ways: our deliveries to users' endpoints are signed here, and deliveries made to
us by a provider that follows the same specification (Google's) are verified here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"
# How far a delivery's timestamp may be from our clock: the specification's replay window.
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureRefused(Exception):
    """A delivery whose signature, or timestamp, does not check out; the message says why."""


def new_secret() -> str:
    """A fresh endpoint secret in the specification's `whsec_<base64>` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def _digest(secret: str, message_id: str, timestamp: int | str, body: bytes) -> bytes:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return hmac.new(_key(secret), signed, hashlib.sha256).digest()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one delivery attempt."""
    return "v1," + base64.b64encode(_digest(secret, message_id, timestamp, body)).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers every delivery carries."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
        "content-type": "application/json",
    }


def verify(
    secret: str,
    headers: dict[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Check a received delivery's headers against its raw body; raise SignatureRefused.

    `headers` holds `webhook-id`, `webhook-timestamp` and `webhook-signature`; the last may
    list several space-separated `v1,<base64>` values (a sender rotating its secret), and
    one match is enough. A timestamp further than `tolerance` from now is a replay.
    """
    message_id = headers.get("webhook-id", "").strip()
    stamp = headers.get("webhook-timestamp", "").strip()
    offered = headers.get("webhook-signature", "").split()
    if not message_id or not stamp or not offered:
        raise SignatureRefused("the webhook-id, webhook-timestamp or webhook-signature is missing")
    if not stamp.isdigit():
        raise SignatureRefused("the webhook-timestamp is not a number of seconds")
    clock = time.time() if now is None else now
    if abs(clock - int(stamp)) > tolerance:
        raise SignatureRefused("the webhook-timestamp is too far from the current time")
    expected = _digest(secret, message_id, stamp, body)
    for entry in offered:
        version, _, value = entry.partition(",")
        if version != "v1":
            continue
        try:
            candidate = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(candidate, expected):
            return
    raise SignatureRefused("no webhook-signature matches the body")
