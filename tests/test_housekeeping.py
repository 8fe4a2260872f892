"""Expired idempotency keys and old webhook notices are deleted; everything else stays."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, insert, select

from ugc.auth.models import User
from ugc.db.base import utcnow
from ugc.db.engine import Database
from ugc.housekeeping import NOTICE_RETENTION, sweep, sweep_forever
from ugc.idempotency.models import IdempotencyKey
from ugc.jobs.models import OperationNotice


async def _seed(db: Database) -> None:
    now, user_id = utcnow(), uuid.uuid4()
    async with db.engine.begin() as connection:
        await connection.execute(insert(User), [{"id": user_id, "email": "k@example.com"}])
        await connection.execute(
            insert(IdempotencyKey),
            [
                {
                    "user_id": user_id,
                    "key": key,
                    "route": "project.create",
                    "fingerprint": "f" * 64,
                    "locked_until": now,
                    "expires_at": now + offset,
                }
                for key, offset in (("old", -timedelta(minutes=1)), ("live", timedelta(hours=1)))
            ],
        )
        await connection.execute(
            insert(OperationNotice),
            [
                {
                    "message_id": message_id,
                    "operation_id": "v1_op",
                    "event": "interaction.completed",
                    "received_at": now - age,
                }
                for message_id, age in (
                    ("msg_old", NOTICE_RETENTION + timedelta(minutes=1)),
                    ("msg_recent", timedelta(hours=1)),
                )
            ],
        )


async def _left(db: Database) -> tuple[list[str], list[str]]:
    async with db.engine.connect() as connection:
        keys = (await connection.execute(select(IdempotencyKey.key))).scalars().all()
        notices = (await connection.execute(select(OperationNotice.message_id))).scalars().all()
    return sorted(keys), sorted(notices)


async def test_a_sweep_deletes_only_what_expired(database_url: str) -> None:
    db = Database(database_url)
    try:
        await _seed(db)
        assert await sweep(db) == {"idempotency_keys": 1, "operation_notices": 1}
        assert await _left(db) == (["live"], ["msg_recent"])
        assert await sweep(db) == {"idempotency_keys": 0, "operation_notices": 0}
    finally:
        await db.dispose()


async def test_the_loop_sweeps_each_interval_and_stops_when_told(database_url: str) -> None:
    db = Database(database_url)
    stop = asyncio.Event()
    try:
        await _seed(db)
        loop = asyncio.create_task(sweep_forever(db, interval=0.05, stop=stop))
        for _ in range(200):
            if (await _left(db))[0] == ["live"]:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(loop, timeout=10)
        assert await _left(db) == (["live"], ["msg_recent"])
        async with db.engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(User)) == 1
    finally:
        await db.dispose()
