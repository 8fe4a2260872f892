"""HTTP for balances and the credit history."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ugc.auth.deps import CurrentCaller
from ugc.credits import queries
from ugc.db.session import ReadConnectionDep
from ugc.schemas import ApiModel, json_response

router = APIRouter(tags=["credits"])


class Balance(ApiModel):
    """{"credits": n}."""

    credits: int


class HistoryEntry(ApiModel):
    """One ledger row as the owner sees it."""

    delta: int
    reason: str
    project_id: uuid.UUID | None
    created_at: datetime


class History(ApiModel):
    """{"entries": [...], "nextCursor": ...}."""

    entries: list[HistoryEntry]
    next_cursor: str | None = None


@router.get("/api/user/credits", response_model=Balance)
async def credits(caller: CurrentCaller) -> Response:
    """The caller's balance."""
    return json_response(Balance(credits=caller.credits))


@router.get("/api/user/credits/history", response_model=History)
async def credit_history(
    caller: CurrentCaller,
    connection: ReadConnectionDep,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
) -> Response:
    """The caller's ledger, newest first; pass `nextCursor` back as `cursor` for older rows."""
    rows, next_cursor = await queries.history_page(connection, caller.id, cursor, limit)
    entries = [HistoryEntry.model_validate(r, from_attributes=True) for r in rows]
    return json_response(History(entries=entries, next_cursor=next_cursor))
