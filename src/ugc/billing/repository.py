"""Every purchase query: the insert that grants once, row locks for take-backs, listings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.billing.models import Purchase


class PurchaseRepository:
    """Purchases for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_once(self, values: dict[str, Any]) -> uuid.UUID | None:
        """Insert a purchase; None when its Checkout Session is already recorded.

        The UNIQUE checkout_session_id decides: a concurrent delivery of the same event waits
        for this transaction and then inserts nothing, so the credits are granted once.
        """
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(Purchase)
            .values(id=uuid.uuid4(), **values)
            .on_conflict_do_nothing(index_elements=["checkout_session_id"])
            .returning(Purchase.id)
        )
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()

    async def by_checkout_session(self, checkout_session_id: str) -> Purchase | None:
        """The purchase of a Checkout Session."""
        return await self.session.scalar(
            select(Purchase).where(Purchase.checkout_session_id == checkout_session_id)
        )

    async def lock_by_payment_intent(self, payment_intent_id: str) -> Purchase | None:
        """The purchase paid by this PaymentIntent, locked until the transaction ends."""
        return await self.session.scalar(
            select(Purchase)
            .where(Purchase.payment_intent_id == payment_intent_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def lock_balance(self, user_id: uuid.UUID) -> int | None:
        """The user's balance, locked so no reservation slips in before a take-back."""
        return await self.session.scalar(
            select(User.credits).where(User.id == user_id).with_for_update()
        )

    async def for_user(self, user_id: uuid.UUID, limit: int = 100) -> Sequence[Purchase]:
        """A user's purchases, newest first."""
        query = (
            select(Purchase)
            .where(Purchase.user_id == user_id)
            .order_by(Purchase.created_at.desc(), Purchase.id.desc())
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def listing(
        self, *, shortfall_only: bool, limit: int
    ) -> Sequence[tuple[Purchase, str | None]]:
        """Purchases with their buyer's email, newest first (for the operator)."""
        query = select(Purchase, User.email).join(User, User.id == Purchase.user_id)
        if shortfall_only:
            query = query.where(Purchase.shortfall > 0)
        query = query.order_by(Purchase.created_at.desc(), Purchase.id.desc()).limit(limit)
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]
