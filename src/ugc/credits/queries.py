"""Read-path credit queries: a page of the ledger in one Core select, by index."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from ugc.credits.models import LedgerEntry
from ugc.pagination import decode_cursor, split_page

_c = LedgerEntry.__table__.c
_BY_USER = select(_c.id, _c.delta, _c.reason, _c.project_id, _c.created_at).where(
    _c.user_id == bindparam("user_id")
)  # ix_credit_ledger_user_created


async def history_page(
    connection: AsyncConnection, user_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[Sequence[Row[*tuple[Any, ...]]], str | None]:
    """A page of the user's ledger, newest first, and the cursor of the next page."""
    query = _BY_USER
    if cursor:
        query = query.where(tuple_(_c.created_at, _c.id) < tuple_(*decode_cursor(cursor)))
    query = query.order_by(_c.created_at.desc(), _c.id.desc()).limit(limit + 1)
    rows: Sequence[Row[*tuple[Any, ...]]] = (
        await connection.execute(query, {"user_id": user_id})
    ).all()
    return split_page(rows, limit, lambda entry: (entry.created_at, entry.id))
