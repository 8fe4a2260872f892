"""Endpoint rules, and events written to the outbox in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.config import Settings
from ugc.db.base import utcnow
from ugc.errors import InvalidInput, NotFound
from ugc.webhooks.addresses import resolve_destination
from ugc.webhooks.models import (
    SUBSCRIBABLE,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)
from ugc.webhooks.repository import WebhookRepository
from ugc.webhooks.signing import new_secret

MAX_ENDPOINTS = 10
MAX_DESCRIPTION = 120


def check_events(events: Sequence[str]) -> list[str]:
    """The subscribed event types, deduplicated and known, or InvalidInput."""
    order = [e.value for e in SUBSCRIBABLE]
    unknown = sorted(e for e in set(events) if e not in order)
    if unknown:
        raise InvalidInput(f"Unknown event {unknown[0][:60]!r}; choose from {', '.join(order)}.")
    chosen = [e for e in order if e in events]
    if not chosen:
        raise InvalidInput("Subscribe the endpoint to at least one event.")
    return chosen


async def _checked_url(url: str, settings: Settings) -> str:
    destination = await resolve_destination(
        url,
        allow_private=settings.webhook_allow_private,
        allow_http=settings.webhook_allow_http,
    )
    return destination.url


async def create_endpoint(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    url: str,
    events: Sequence[str],
    description: str,
    settings: Settings,
) -> WebhookEndpoint:
    """Register an endpoint; its secret is returned to the caller this once."""
    repo = WebhookRepository(session)
    if len(await repo.endpoints_of(user_id)) >= MAX_ENDPOINTS:
        raise InvalidInput(f"An account can have at most {MAX_ENDPOINTS} webhook endpoints.")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"The description can be at most {MAX_DESCRIPTION} characters.")
    endpoint = WebhookEndpoint(
        user_id=user_id,
        url=await _checked_url(url, settings),
        events=check_events(events),
        description=description.strip(),
        secret=new_secret(),
        enabled=True,
    )
    await repo.add_endpoint(endpoint)
    return endpoint


async def owned_endpoint(
    session: AsyncSession, user_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """The caller's endpoint or NotFound."""
    endpoint = await WebhookRepository(session).owned_endpoint(endpoint_id, user_id)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


async def update_endpoint(
    session: AsyncSession,
    endpoint: WebhookEndpoint,
    *,
    settings: Settings,
    url: str | None = None,
    events: Sequence[str] | None = None,
    enabled: bool | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change what was given; leave the rest."""
    if url is not None:
        endpoint.url = await _checked_url(url, settings)
    if events is not None:
        endpoint.events = check_events(events)
    if enabled is not None:
        endpoint.enabled = enabled
    if description is not None:
        if len(description) > MAX_DESCRIPTION:
            raise InvalidInput(f"The description can be at most {MAX_DESCRIPTION} characters.")
        endpoint.description = description.strip()
    await session.flush()
    return endpoint


def event_body(message_id: str, event_type: str, data: dict[str, Any]) -> str:
    """The JSON every delivery of an event carries (the same bytes on every retry)."""
    return json.dumps(
        {
            "id": message_id,
            "type": event_type,
            "timestamp": utcnow().isoformat().replace("+00:00", "Z"),
            "data": data,
        },
        separators=(",", ":"),
        default=str,
    )


def new_message_id() -> str:
    """A Standard Webhooks message id."""
    return f"msg_{uuid.uuid4().hex}"


async def emit_event(
    session: AsyncSession, user_id: uuid.UUID, event_type: EventType, data: dict[str, Any]
) -> list[str]:
    """Queue the event for each of the user's enabled endpoints that subscribed to it.

    Written in the caller's transaction: the event exists exactly when the change it
    reports was committed.
    """
    repo = WebhookRepository(session)
    queued = []
    for endpoint in await repo.endpoints_of(user_id):
        if endpoint.enabled and event_type.value in endpoint.events:
            queued.append(await _queue(repo, endpoint, event_type, data))
    return queued


async def send_test_event(session: AsyncSession, endpoint: WebhookEndpoint) -> str:
    """Queue a `webhook.test` event for one endpoint, enabled or not."""
    data = {"endpointId": str(endpoint.id), "message": "A test event from UGC Studio."}
    return await _queue(WebhookRepository(session), endpoint, EventType.TEST, data)


async def _queue(
    repo: WebhookRepository,
    endpoint: WebhookEndpoint,
    event_type: EventType,
    data: dict[str, Any],
) -> str:
    message_id = new_message_id()
    await repo.add_delivery(
        WebhookDelivery(
            id=message_id,
            endpoint_id=endpoint.id,
            event_type=event_type.value,
            payload=event_body(message_id, event_type.value, data),
            next_attempt_at=utcnow(),
        )
    )
    return message_id
