"""HTTP for balances and the credit history."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query

from ugc.credits import service
from ugc.deps import CurrentUser, SessionDep
from ugc.schemas import ApiModel

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


@router.get("/api/user/credits")
async def credits(user: CurrentUser) -> Balance:
    """The caller's balance."""
    return Balance(credits=user.credits)


@router.get("/api/user/credits/history")
async def credit_history(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
) -> History:
    """The caller's ledger, newest first; pass `nextCursor` back as `cursor` for older rows."""
    rows, next_cursor = await service.history_page(session, user, cursor, limit)
    entries = [HistoryEntry.model_validate(r, from_attributes=True) for r in rows]
    return History(entries=entries, next_cursor=next_cursor)
