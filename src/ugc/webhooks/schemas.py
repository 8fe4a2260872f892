"""Webhook endpoint bodies as the API reads and shows them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from ugc.schemas import ApiModel


class NewEndpoint(ApiModel):
    """Register a URL for some events."""

    url: str = Field(min_length=1, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=10)
    description: str = Field(default="", max_length=120)


class EndpointChange(ApiModel):
    """Change some of an endpoint's settings."""

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: list[str] | None = Field(default=None, min_length=1, max_length=10)
    enabled: bool | None = None
    description: str | None = Field(default=None, max_length=120)


class EndpointOut(ApiModel):
    """An endpoint, without its secret."""

    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    created_at: datetime


class CreatedEndpoint(ApiModel):
    """A new endpoint and its signing secret, shown this once."""

    endpoint: EndpointOut
    secret: str


class EndpointList(ApiModel):
    """The caller's endpoints."""

    endpoints: list[EndpointOut]


class AttemptOut(ApiModel):
    """One POST in the delivery log."""

    delivery_id: str
    event_type: str
    attempted_at: datetime
    status_code: int | None
    response_ms: int
    error: str | None
    delivery_status: str


class AttemptLog(ApiModel):
    """An endpoint's latest attempts, newest first."""

    attempts: list[AttemptOut]


class TestEventSent(ApiModel):
    """The id of the queued test event."""

    delivery_id: str
