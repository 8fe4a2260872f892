"""Opaque keyset cursors: (timestamp, id) of the last row of a page."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from ugc.errors import InvalidInput

# Our cursors are ~80 characters; anything far longer was not made by us.
MAX_CURSOR_LENGTH = 200


def encode_cursor(moment: datetime, row_id: uuid.UUID) -> str:
    """A cursor that continues after this row."""
    raw = f"{moment.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


Row = TypeVar("Row")


def split_page(
    rows: Sequence[Row], limit: int, position: Callable[[Row], tuple[datetime | None, uuid.UUID]]
) -> tuple[Sequence[Row], str | None]:
    """Cut `limit + 1` fetched rows to a page and the cursor after its last row, if any."""
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    moment, row_id = position(page[-1])
    return page, encode_cursor(moment, row_id) if moment is not None else None


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (timestamp, id) inside a cursor; InvalidInput when it was tampered with."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidInput("That page cursor is not valid; start from the first page.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, row_id = raw.partition("|")
        when = datetime.fromisoformat(moment)
        # Stored times are UTC; SQLite compares them as text, so the offset must match.
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        return when, uuid.UUID(row_id)
    # OverflowError: a moment near year 1 or 9999 whose offset pushes it out of range in UTC.
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise InvalidInput("That page cursor is not valid; start from the first page.") from None
