"""Standard Webhooks signatures, checked against the `standardwebhooks` library both ways."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from ugc.webhooks.signing import (
    SignatureRefused,
    new_secret,
    signed_headers,
    verify,
)

BODY = json.dumps({"type": "interaction.completed", "data": {"id": "v1_abc"}}).encode()
NOW = 1_790_000_000


def library_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Headers as an independent implementation of the specification signs them."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": Webhook(secret).sign(message_id, moment, body.decode()),
    }


def test_a_delivery_signed_by_the_library_verifies() -> None:
    secret = new_secret()
    verify(secret, library_headers(secret, "msg_1", NOW, BODY), BODY, now=NOW + 10)


def test_our_signature_verifies_with_the_library() -> None:
    secret = new_secret()
    headers = signed_headers(secret, "msg_2", int(datetime.now(UTC).timestamp()), BODY)
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)
    verify(secret, headers, BODY)


def test_one_matching_signature_among_several_is_enough() -> None:
    old, current = new_secret(), new_secret()
    headers = library_headers(current, "msg_3", NOW, BODY)
    rotated = library_headers(old, "msg_3", NOW, BODY)["webhook-signature"]
    headers["webhook-signature"] = f"{rotated} {headers['webhook-signature']}"
    verify(current, headers, BODY, now=NOW)
    with pytest.raises(SignatureRefused, match="no webhook-signature matches"):
        verify(new_secret(), headers, BODY, now=NOW)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"body": BODY.replace(b"v1_abc", b"v1_abd")}, "no webhook-signature matches"),
        ({"webhook-id": "msg_other"}, "no webhook-signature matches"),
        ({"webhook-timestamp": str(NOW + 1)}, "no webhook-signature matches"),
        ({"webhook-signature": "v2,AAAA"}, "no webhook-signature matches"),
        ({"webhook-signature": "v1,not base64!"}, "no webhook-signature matches"),
        ({"webhook-signature": ""}, "missing"),
        ({"webhook-id": ""}, "missing"),
        ({"webhook-timestamp": "soon"}, "not a number"),
    ],
    ids=["body", "id", "timestamp", "version", "garbled", "no-signature", "no-id", "bad-time"],
)
def test_anything_changed_is_refused(change: dict[str, str | bytes], reason: str) -> None:
    secret = new_secret()
    headers = library_headers(secret, "msg_4", NOW, BODY)
    body = change.pop("body", BODY)
    assert isinstance(body, bytes)
    headers.update({k: v for k, v in change.items() if isinstance(v, str)})
    with pytest.raises(SignatureRefused, match=reason):
        verify(secret, headers, body, now=NOW)


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_the_window_is_a_replay(offset: int) -> None:
    secret = new_secret()
    headers = library_headers(secret, "msg_5", NOW, BODY)
    verify(secret, headers, BODY, now=NOW + offset - (1 if offset > 0 else -1))
    with pytest.raises(SignatureRefused, match="too far"):
        verify(secret, headers, BODY, now=NOW + offset)
