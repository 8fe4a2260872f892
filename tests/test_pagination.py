"""Opaque keyset cursors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ugc.errors import InvalidInput
from ugc.pagination import decode_cursor, encode_cursor


def test_a_cursor_round_trips_in_utc_whatever_offset_it_was_made_with():
    row_id = uuid.uuid4()
    moment = datetime(2026, 11, 26, 17, 0, tzinfo=timezone(timedelta(hours=5)))
    assert decode_cursor(encode_cursor(moment, row_id)) == (
        datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        row_id,
    )
    naive = datetime(2026, 11, 26, 12, 0)
    assert decode_cursor(encode_cursor(naive, row_id))[0].tzinfo is UTC


def test_a_damaged_cursor_is_invalid_input():
    with pytest.raises(InvalidInput, match="cursor is not valid"):
        decode_cursor("bm90LWEtY3Vyc29y")
