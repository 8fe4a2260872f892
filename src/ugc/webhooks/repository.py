"""Every query on webhook endpoints, deliveries and attempts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookRepository:
    """Endpoints, the outbox of deliveries, and the attempt log."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        """Insert a new endpoint."""
        self.session.add(endpoint)
        await self.session.flush()

    async def endpoints_of(self, user_id: uuid.UUID) -> Sequence[WebhookEndpoint]:
        """A user's endpoints, oldest first."""
        statement = (
            select(WebhookEndpoint)
            .where(WebhookEndpoint.user_id == user_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def owned_endpoint(
        self, endpoint_id: uuid.UUID, user_id: uuid.UUID
    ) -> WebhookEndpoint | None:
        """One of the user's endpoints."""
        statement = select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.user_id == user_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_endpoint(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        """An endpoint by id, whoever owns it (for the deliverer)."""
        return await self.session.get(WebhookEndpoint, endpoint_id)

    async def delete_endpoint(self, endpoint: WebhookEndpoint) -> None:
        """Delete an endpoint with its deliveries and log."""
        await self.session.delete(endpoint)
        await self.session.flush()

    async def add_delivery(self, delivery: WebhookDelivery) -> None:
        """Queue one event for one endpoint."""
        self.session.add(delivery)
        await self.session.flush()

    async def get_delivery(self, delivery_id: str) -> WebhookDelivery | None:
        """A delivery by its message id (pending objects of this session included)."""
        return await self.session.get(WebhookDelivery, delivery_id)

    async def claim_delivery(
        self, delivery_id: str, *, now: datetime, lease_until: datetime
    ) -> WebhookDelivery | None:
        """Take a due delivery under a lease; None if it is not due or someone else has it."""
        statement = (
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                (WebhookDelivery.lease_until.is_(None)) | (WebhookDelivery.lease_until < now),
            )
            .values(lease_until=lease_until, attempts=WebhookDelivery.attempts + 1)
            .returning(WebhookDelivery.id)
        )
        if (await self.session.execute(statement)).scalar_one_or_none() is None:
            return None
        return await self.session.get(WebhookDelivery, delivery_id, populate_existing=True)

    async def finish_attempt(
        self, delivery_id: str, *, status: DeliveryStatus, next_attempt_at: datetime
    ) -> None:
        """Record where the delivery stands after an attempt and drop its lease."""
        await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(status=status, next_attempt_at=next_attempt_at, lease_until=None)
        )

    async def due_deliveries(self, now: datetime, limit: int = 200) -> Sequence[str]:
        """Ids of pending deliveries whose time has come and that nobody holds."""
        statement = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                (WebhookDelivery.lease_until.is_(None)) | (WebhookDelivery.lease_until < now),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def add_attempt(self, attempt: WebhookAttempt) -> None:
        """Append to the delivery log."""
        self.session.add(attempt)

    async def recent_attempts(
        self, endpoint_id: uuid.UUID, limit: int
    ) -> Sequence[tuple[WebhookAttempt, WebhookDelivery]]:
        """The endpoint's latest attempts with their deliveries, newest first."""
        statement = (
            select(WebhookAttempt, WebhookDelivery)
            .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
            .where(WebhookAttempt.endpoint_id == endpoint_id)
            .order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id)
            .limit(limit)
        )
        return [(a, d) for a, d in (await self.session.execute(statement)).all()]
