"""Imports every model so Base.metadata knows all tables (for Alembic and tests)."""

from ugc.accounts.clerk.models import ClerkDelivery
from ugc.auth.models import ApiToken, User, UserSession
from ugc.billing.models import Purchase
from ugc.credits.models import LedgerEntry
from ugc.db.base import Base
from ugc.idempotency.models import IdempotencyKey
from ugc.jobs.models import Job, OperationNotice
from ugc.projects.models import Project
from ugc.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "Base",
    "ClerkDelivery",
    "IdempotencyKey",
    "Job",
    "LedgerEntry",
    "OperationNotice",
    "Project",
    "Purchase",
    "User",
    "UserSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
