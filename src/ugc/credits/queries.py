"""Read-path credit queries: a page of the ledger in one Core select, by index."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import bindparam, select

from ugc.credits.models import LedgerEntry
from ugc.db.reader import AnyRow, Reader
from ugc.pagination import Keyset, decode_cursor, split_page

_c = LedgerEntry.__table__.c
_BY_USER = Keyset.of(  # ix_credit_ledger_user_created
    select(_c.id, _c.delta, _c.reason, _c.project_id, _c.created_at).where(
        _c.user_id == bindparam("user_id")
    ),
    _c.created_at,
    _c.id,
)


async def history_page(
    reader: Reader, user_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[Sequence[AnyRow], str | None]:
    """A page of the user's ledger, newest first, and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    rows = await reader.all(*_BY_USER.page(after, limit + 1, user_id=user_id))
    return split_page(rows, limit, lambda entry: (entry.created_at, entry.id))
