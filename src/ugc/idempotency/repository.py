"""Every query on idempotency_keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.idempotency.models import IdempotencyKey


class IdempotencyRepository:
    """Claims, completes and releases keys."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_if_absent(self, row: dict[str, object]) -> bool:
        """Insert a new claim; False when the (user, key) pair already exists."""
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(IdempotencyKey).values(**row).on_conflict_do_nothing()
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, user_id: uuid.UUID, key: str) -> IdempotencyKey | None:
        """The stored row for this user's key, read fresh."""
        statement = (
            select(IdempotencyKey)
            .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def take_over(
        self, key_id: uuid.UUID, *, values: dict[str, object], now: datetime
    ) -> bool:
        """Reuse an expired key, or one whose first request died mid-way."""
        statement = (
            update(IdempotencyKey)
            .where(
                IdempotencyKey.id == key_id,
                or_(
                    IdempotencyKey.expires_at < now,
                    (IdempotencyKey.response_status.is_(None))
                    & (IdempotencyKey.locked_until < now),
                ),
            )
            .values(**values, response_status=None, response_body=None)
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def complete(self, key_id: uuid.UUID, status: int, body: str) -> None:
        """Store the response the first request gave."""
        await self.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == key_id)
            .values(response_status=status, response_body=body)
        )

    async def release(self, key_id: uuid.UUID) -> None:
        """Forget an unfinished claim (its request failed before charging anything)."""
        await self.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == key_id, IdempotencyKey.response_status.is_(None)
            )
        )

    async def purge_expired(self, now: datetime) -> int:
        """Delete keys past their retention; returns how many."""
        result = await self.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.expires_at < now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
