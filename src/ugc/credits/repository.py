"""Every credit query: guarded balance updates and ledger rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.credits.models import LedgerEntry, LedgerReason
from ugc.db.base import utcnow


class CreditRepository:
    """Balance and ledger access for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def debit_if_covered(self, user_id: uuid.UUID, amount: int) -> int | None:
        """Subtract `amount` when the balance covers it; the new balance, else None."""
        result = await self.session.execute(
            update(User)
            .where(User.id == user_id, User.credits >= amount)
            .values(credits=User.credits - amount, updated_at=utcnow())
            .returning(User.credits)
        )
        return result.scalar_one_or_none()

    async def credit(self, user_id: uuid.UUID, amount: int) -> int:
        """Add `amount` to the balance; the new balance."""
        result = await self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(credits=User.credits + amount, updated_at=utcnow())
            .returning(User.credits)
        )
        return result.scalar_one()

    async def append(
        self,
        user_id: uuid.UUID,
        delta: int,
        reason: LedgerReason,
        *,
        project_id: uuid.UUID | None = None,
        job_id: uuid.UUID | None = None,
        reference: str | None = None,
    ) -> None:
        """Insert one ledger row."""
        self.session.add(
            LedgerEntry(
                user_id=user_id,
                delta=delta,
                reason=reason.value,
                project_id=project_id,
                job_id=job_id,
                reference=reference,
            )
        )
        await self.session.flush()

    async def history(
        self, user_id: uuid.UUID, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[LedgerEntry]:
        """Ledger rows of a user, newest first, after a keyset cursor (created_at, id)."""
        query = select(LedgerEntry).where(LedgerEntry.user_id == user_id)
        if after is not None:
            query = query.where(tuple_(LedgerEntry.created_at, LedgerEntry.id) < tuple_(*after))
        query = query.order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()

    async def ledger_sum(self, user_id: uuid.UUID) -> int:
        """sum(delta) of a user's ledger (equals the balance)."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(
                LedgerEntry.user_id == user_id
            )
        )
        return int(total or 0)
