"""Generation jobs: the database record a queue message only wakes up."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ugc.db.base import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class JobStatus(StrEnum):
    """A job's lifecycle."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(IdMixin, TimestampMixin, Base):
    """One paid unit of work and its attempts; its kind's handler knows what it does."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_lease", "status", "lease_until"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    # Names the handler that runs it (registered by a domain, see ugc.jobs.handlers).
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Earliest time the next attempt may start (exponential backoff after a transient error).
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cost: Mapped[int] = mapped_column(Integer, nullable=False)
    refunded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    # Engine resume token, e.g. a running Omni interaction's id.
    checkpoint: Mapped[str | None] = mapped_column(String(512))
    # The provider's id of that operation, by which its webhooks name the job.
    operation_id: Mapped[str | None] = mapped_column(String(255), index=True)


class OperationNotice(Base):
    """A provider's word (a webhook) that a job's operation ended, kept once per delivery.

    The provider delivers at least once and repeats the delivery id on every retry: the id
    is the key, so a repeat is recognised. A waiting job looks here for word about its
    operation, whichever process received it.
    """

    __tablename__ = "operation_notices"

    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    operation_id: Mapped[str] = mapped_column(String(255), index=True, nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
