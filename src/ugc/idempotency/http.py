"""The Idempotency-Key header for routes that charge: replay, refuse, or claim and record."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.db.session import end_transaction
from ugc.idempotency.service import (
    KeyCompletion,
    StoredResponse,
    check_key,
    claim_key,
    complete_in,
    fingerprint,
)

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retry safely: the same key and request return the first response.",
    ),
]


async def claim_or_replay(
    request: Request,
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    key: str | None,
    route: str,
    fields: Iterable[tuple[str, str]],
    files: Iterable[bytes | None] = (),
) -> JSONResponse | KeyCompletion | None:
    """The stored response to send again, or this request's claim (None without a key)."""
    if key is None:
        return None
    check_key(key)
    # The claim commits on a connection of its own: give the request's back first (SQLite
    # has one), so nothing waits on the other.
    await end_transaction(session)
    outcome = await claim_key(
        request.app.state.db,
        user_id=user_id,
        key=key,
        route=route,
        request_fingerprint=fingerprint(route, fields, (f or b"" for f in files)),
        retention_hours=request.app.state.settings.idempotency_retention_hours,
    )
    if isinstance(outcome, StoredResponse):
        return JSONResponse(
            content=_body(outcome),
            status_code=outcome.status_code,
            headers={"Idempotent-Replayed": "true"},
        )
    return complete_in(session, request.app.state.db, outcome)


def _body(stored: StoredResponse) -> object:
    return json.loads(stored.body)


async def record(completion: KeyCompletion | None, status_code: int, body: BaseModel) -> None:
    """Store the response with the request's own transaction (the one that charged)."""
    if completion is not None:
        await completion.store(status_code, body.model_dump(mode="json", by_alias=True))
