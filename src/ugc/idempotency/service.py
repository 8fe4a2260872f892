"""Claim a key before the work, store the response with the work, release it on failure."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.db.base import utcnow
from ugc.db.engine import Database
from ugc.db.session import on_rollback
from ugc.errors import Conflict, InvalidInput
from ugc.idempotency.repository import IdempotencyRepository

MAX_KEY = 255
# How long a first request may run before a retry may take its key over (a dead process).
LOCK_SECONDS = 120


class KeyReused(InvalidInput):
    """The key was first used for a different request."""

    code = "idempotency_key_reused"


class KeyInFlight(Conflict):
    """The first request with this key has not finished yet."""

    code = "idempotency_key_in_flight"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first request's response, replayed."""

    status_code: int
    body: str


@dataclass(frozen=True, slots=True)
class Claim:
    """This request owns the key; complete it in the request's transaction."""

    key_id: uuid.UUID


def check_key(key: str) -> str:
    """A key of 1-255 visible ASCII characters, or InvalidInput."""
    if not key or len(key) > MAX_KEY or not all(33 <= ord(c) < 127 for c in key):
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {MAX_KEY} visible ASCII characters (a UUID is ideal)."
        )
    return key


def fingerprint(route: str, fields: Iterable[tuple[str, str]], files: Iterable[bytes]) -> str:
    """A digest of everything the request says, so a reused key with other input is caught."""
    digest = hashlib.sha256(route.encode())
    for name, value in sorted(fields):
        digest.update(b"\0f" + name.encode() + b"=" + value.encode())
    for data in files:
        digest.update(b"\0b" + hashlib.sha256(data).digest())
    return digest.hexdigest()


async def claim_key(
    db: Database,
    *,
    user_id: uuid.UUID,
    key: str,
    route: str,
    request_fingerprint: str,
    retention_hours: float,
) -> Claim | StoredResponse:
    """Own the key for this request, or return the stored response, or refuse (409/422)."""
    now = utcnow()
    values: dict[str, object] = {
        "route": route,
        "fingerprint": request_fingerprint,
        "locked_until": now + timedelta(seconds=LOCK_SECONDS),
        "expires_at": now + timedelta(hours=retention_hours),
    }
    key_id = uuid.uuid4()
    async with db.session() as session:
        repo = IdempotencyRepository(session)
        if await repo.insert_if_absent({"id": key_id, "user_id": user_id, "key": key, **values}):
            await session.commit()
            return Claim(key_id)
        row = await repo.get(user_id, key)
        if row is None:  # released between our insert and read: the caller may retry
            await session.rollback()
            raise KeyInFlight("A request with this Idempotency-Key is in progress; retry shortly.")
        if await repo.take_over(row.id, values=values, now=now):
            await session.commit()
            return Claim(row.id)
        await session.rollback()
    if row.route != route or row.fingerprint != request_fingerprint:
        raise KeyReused(
            "This Idempotency-Key was used for a different request; use a new key for new input."
        )
    if row.response_status is None or row.response_body is None:
        raise KeyInFlight("A request with this Idempotency-Key is in progress; retry shortly.")
    return StoredResponse(row.response_status, row.response_body)


def complete_in(session: AsyncSession, db: Database, claim: Claim) -> KeyCompletion:
    """Arrange for the key to be released if the request's transaction rolls back."""

    async def release() -> None:
        async with db.session() as other:
            await IdempotencyRepository(other).release(claim.key_id)
            await other.commit()

    on_rollback(session, release)
    return KeyCompletion(session, claim)


@dataclass(frozen=True, slots=True)
class KeyCompletion:
    """Stores the response in the same transaction as the work it describes."""

    session: AsyncSession
    claim: Claim

    async def store(self, status_code: int, body: object) -> None:
        """Record the response that a retry with the same key will get."""
        text = json.dumps(body, separators=(",", ":"), default=str)
        await IdempotencyRepository(self.session).complete(self.claim.key_id, status_code, text)
