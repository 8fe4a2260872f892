"""HTTP for webhook endpoints: register, list, change, delete, log, test."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from ugc.auth.deps import CurrentUser, SettingsDep
from ugc.db.session import SessionDep, after_commit
from ugc.webhooks import service
from ugc.webhooks.repository import WebhookRepository
from ugc.webhooks.schemas import (
    AttemptLog,
    AttemptOut,
    CreatedEndpoint,
    EndpointChange,
    EndpointList,
    EndpointOut,
    NewEndpoint,
    TestEventSent,
)

router = APIRouter(prefix="/api/webhooks/endpoints", tags=["webhooks"])

LOG_SIZE = 50


def _out(endpoint: object) -> EndpointOut:
    return EndpointOut.model_validate(endpoint, from_attributes=True)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_endpoint(
    body: NewEndpoint, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> CreatedEndpoint:
    """Register an endpoint; the signing secret is in this answer only."""
    endpoint = await service.create_endpoint(
        session,
        user_id=user.id,
        url=body.url,
        events=body.events,
        description=body.description,
        settings=settings,
    )
    return CreatedEndpoint(endpoint=_out(endpoint), secret=endpoint.secret)


@router.get("")
async def list_endpoints(user: CurrentUser, session: SessionDep) -> EndpointList:
    """The caller's endpoints."""
    endpoints = await WebhookRepository(session).endpoints_of(user.id)
    return EndpointList(endpoints=[_out(e) for e in endpoints])


@router.patch("/{endpoint_id}")
async def change_endpoint(
    endpoint_id: uuid.UUID,
    body: EndpointChange,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> EndpointOut:
    """Enable, disable, or change an endpoint's URL, events or description."""
    endpoint = await service.owned_endpoint(session, user.id, endpoint_id)
    endpoint = await service.update_endpoint(
        session,
        endpoint,
        settings=settings,
        url=body.url,
        events=body.events,
        enabled=body.enabled,
        description=body.description,
    )
    return _out(endpoint)


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_endpoint(endpoint_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Delete an endpoint; events not yet delivered to it are dropped."""
    endpoint = await service.owned_endpoint(session, user.id, endpoint_id)
    await WebhookRepository(session).delete_endpoint(endpoint)


@router.get("/{endpoint_id}/attempts")
async def endpoint_attempts(
    endpoint_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> AttemptLog:
    """The endpoint's latest delivery attempts: status, response time, error."""
    await service.owned_endpoint(session, user.id, endpoint_id)
    rows = await WebhookRepository(session).recent_attempts(endpoint_id, LOG_SIZE)
    return AttemptLog(
        attempts=[
            AttemptOut(
                delivery_id=delivery.id,
                event_type=delivery.event_type,
                attempted_at=attempt.attempted_at,
                status_code=attempt.status_code,
                response_ms=attempt.response_ms,
                error=attempt.error,
                delivery_status=delivery.status,
            )
            for attempt, delivery in rows
        ]
    )


@router.post("/{endpoint_id}/test", status_code=status.HTTP_202_ACCEPTED)
async def send_test_event(
    endpoint_id: uuid.UUID, request: Request, user: CurrentUser, session: SessionDep
) -> TestEventSent:
    """Queue a `webhook.test` event for this endpoint."""
    endpoint = await service.owned_endpoint(session, user.id, endpoint_id)
    delivery_id = await service.send_test_event(session, endpoint)
    wake_deliverer(request, session)
    return TestEventSent(delivery_id=delivery_id)


def wake_deliverer(request: Request, session: SessionDep) -> None:
    """Once committed, tell this process's deliverer (if it runs one) to look now."""
    wake = getattr(request.app.state, "webhook_wake", None)
    if wake is None:
        return

    async def set_wake() -> None:
        wake.set()

    after_commit(session, set_wake)
