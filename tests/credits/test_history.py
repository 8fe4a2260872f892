"""The credit history API: keyset pages over the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import signup
from ugc.admin import grant_credits
from ugc.credits.models import LedgerEntry


async def test_history_pages_never_skip_rows_that_share_a_timestamp(client, database_url):
    user = await signup(client)
    for amount in (1, 2, 3, 4):
        await grant_credits(client.app.state.settings, user["email"], amount)
    # Every row at the same instant: a cursor made of the timestamp alone would lose rows.
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            update(LedgerEntry).values(created_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
    await engine.dispose()

    deltas, cursor, pages = [], None, 0
    while True:
        params: dict[str, str | int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await client.get("/api/user/credits/history", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        deltas += [entry["delta"] for entry in body["entries"]]
        pages += 1
        if (cursor := body["nextCursor"]) is None:
            break
    assert sorted(deltas) == [1, 2, 3, 4, 20]
    assert pages == 3


async def test_a_damaged_history_cursor_is_a_clear_error(client):
    await signup(client)
    response = await client.get("/api/user/credits/history", params={"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert "cursor is not valid" in response.json()["detail"]
