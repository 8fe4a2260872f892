"""Opaque keyset cursors: (timestamp, id) of the last row of a page."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Integer, Select, bindparam, tuple_

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


@dataclass(frozen=True, slots=True)
class Keyset:
    """A query's first page and the pages after a cursor, each built once (so compiled once),
    newest first by (`moment`, `row_id`); the limit is a bind parameter."""

    first: Select[Any]
    after: Select[Any]

    @classmethod
    def of(
        cls, query: Select[Any], moment: ColumnElement[Any], row_id: ColumnElement[Any]
    ) -> Keyset:
        after = tuple_(moment, row_id) < tuple_(
            bindparam("after_moment", type_=moment.type), bindparam("after_id", type_=row_id.type)
        )

        def page(q: Select[Any]) -> Select[Any]:
            return q.order_by(moment.desc(), row_id.desc()).limit(bindparam("limit", type_=Integer))

        return cls(first=page(query), after=page(query.where(after)))

    def page(
        self, after: tuple[datetime, uuid.UUID] | None, limit: int, **parameters: Any
    ) -> tuple[Select[Any], dict[str, Any]]:
        """The statement and its parameters for `limit` rows after `after` (None: the first)."""
        if after is None:
            return self.first, {**parameters, "limit": limit}
        moment, row_id = after
        return self.after, {
            **parameters,
            "limit": limit,
            "after_moment": moment,
            "after_id": row_id,
        }
