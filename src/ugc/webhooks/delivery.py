"""The deliverer: claims due deliveries under a lease, POSTs them, schedules retries.

It runs beside the job reconciler in every process that runs jobs (the web process with
the in-process queue, each `ugc worker` otherwise). Claims are conditional updates, so
several deliverers share the outbox without sending an attempt twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import httpx

from ugc.config import Settings
from ugc.db.base import utcnow
from ugc.db.engine import Database
from ugc.webhooks.models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery
from ugc.webhooks.repository import WebhookRepository
from ugc.webhooks.sender import AttemptResult, delivery_client, post_signed
from ugc.webhooks.signing import signed_headers

log = logging.getLogger(__name__)

BACKOFF_FACTOR = 3
PARALLEL_DELIVERIES = 8


def retry_delay(attempt: int, base_seconds: float) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based)."""
    return float(base_seconds * BACKOFF_FACTOR ** (attempt - 1))


async def _claim(db: Database, delivery_id: str, settings: Settings) -> WebhookDelivery | None:
    now = utcnow()
    lease = now + timedelta(seconds=settings.webhook_timeout_seconds * 3)
    async with db.session() as session:
        delivery = await WebhookRepository(session).claim_delivery(
            delivery_id, now=now, lease_until=lease
        )
        await session.commit()
        return delivery


async def deliver_one(
    db: Database, client: httpx.AsyncClient, delivery_id: str, settings: Settings
) -> AttemptResult | None:
    """One attempt at one delivery, if it is due and free; None when there was nothing to do."""
    delivery = await _claim(db, delivery_id, settings)
    if delivery is None:
        return None
    async with db.session() as session:
        endpoint = await WebhookRepository(session).get_endpoint(delivery.endpoint_id)
    if endpoint is None:
        return None  # deleted meanwhile: its deliveries went with it
    if not endpoint.enabled and delivery.event_type != EventType.TEST:
        result = AttemptResult(False, None, 0, "The endpoint is disabled.")
    else:
        body = delivery.payload.encode()
        timestamp = int(utcnow().timestamp())
        headers = signed_headers(endpoint.secret, delivery.id, timestamp, body)
        result = await post_signed(
            client,
            endpoint.url,
            body,
            headers,
            allow_private=settings.webhook_allow_private,
            allow_http=settings.webhook_allow_http,
        )
    await _record(db, delivery, result, settings, gave_up=not endpoint.enabled)
    return result


async def _record(
    db: Database,
    delivery: WebhookDelivery,
    result: AttemptResult,
    settings: Settings,
    *,
    gave_up: bool,
) -> None:
    now = utcnow()
    if result.ok:
        status, next_at = DeliveryStatus.SUCCEEDED, now
    elif gave_up or delivery.attempts >= settings.webhook_max_attempts:
        status, next_at = DeliveryStatus.FAILED, now
    else:
        delay = retry_delay(delivery.attempts, settings.webhook_retry_base_seconds)
        status, next_at = DeliveryStatus.PENDING, now + timedelta(seconds=delay)
    async with db.session() as session:
        repo = WebhookRepository(session)
        await repo.add_attempt(
            WebhookAttempt(
                delivery_id=delivery.id,
                endpoint_id=delivery.endpoint_id,
                attempted_at=now,
                status_code=result.status_code,
                response_ms=result.elapsed_ms,
                error=result.error,
            )
        )
        await repo.finish_attempt(delivery.id, status=status, next_attempt_at=next_at)
        await session.commit()
    log.info(
        "webhook attempt",
        extra={
            "delivery_id": delivery.id,
            "endpoint_id": str(delivery.endpoint_id),
            "attempt": delivery.attempts,
            "status_code": result.status_code,
            "outcome": status.value,
        },
    )


async def deliver_due(db: Database, client: httpx.AsyncClient, settings: Settings) -> int:
    """Attempt every due delivery once, a few at a time; returns how many were attempted."""
    async with db.session() as session:
        due = await WebhookRepository(session).due_deliveries(utcnow())
    gate = asyncio.Semaphore(PARALLEL_DELIVERIES)

    async def attempt(delivery_id: str) -> bool:
        async with gate:
            return await deliver_one(db, client, delivery_id, settings) is not None

    return sum(await asyncio.gather(*(attempt(d) for d in due)))


async def deliver_forever(
    db: Database, settings: Settings, *, stop: asyncio.Event, wake: asyncio.Event
) -> None:
    """Deliver due events until `stop`; `wake` is set when new events were committed."""
    async with delivery_client(settings.webhook_timeout_seconds) as client:
        while not stop.is_set():
            wake.clear()
            try:
                await deliver_due(db, client, settings)
            except Exception:
                log.exception("webhook delivery pass failed")
            with contextlib.suppress(TimeoutError):
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
                await asyncio.wait(
                    waiters,
                    timeout=settings.webhook_poll_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for waiter in waiters:
                    waiter.cancel()
