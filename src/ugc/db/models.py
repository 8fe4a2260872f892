"""Imports every model so Base.metadata knows all tables (for Alembic and tests)."""

from ugc.auth.clerk.models import ClerkDelivery
from ugc.auth.models import ApiToken, User
from ugc.billing.models import Purchase
from ugc.credits.models import LedgerEntry
from ugc.db.base import Base
from ugc.jobs.models import Job
from ugc.projects.models import Project

__all__ = ["ApiToken", "Base", "ClerkDelivery", "Job", "LedgerEntry", "Project", "Purchase", "User"]
