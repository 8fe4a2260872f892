"""Clerk delivery receipts: recorded once per Svix message id."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.accounts.clerk.models import ClerkDelivery
from ugc.db.base import utcnow


class DeliveryRepository:
    """Receipts for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_once(self, message_id: str, event_type: str) -> bool:
        """Record a message; False when it was applied before (a replay or a retry)."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self.session.execute(
            insert(ClerkDelivery)
            .values(message_id=message_id, event_type=event_type[:64], received_at=utcnow())
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(ClerkDelivery.message_id)
        )
        return result.scalar_one_or_none() is not None
