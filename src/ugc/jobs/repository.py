"""Every job query: claim with a lease, renew, retry, finish, refund guard."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ugc.db.base import utcnow
from ugc.jobs.models import Job, JobStatus, OperationNotice


class JobRepository:
    """Jobs for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        job_id: uuid.UUID,
        kind: str,
        project_id: uuid.UUID,
        user_id: uuid.UUID,
        cost: int,
        max_attempts: int,
    ) -> Job:
        """Insert a queued job (its cost already reserved by the caller)."""
        job = Job(
            id=job_id,
            kind=kind,
            project_id=project_id,
            user_id=user_id,
            cost=cost,
            max_attempts=max_attempts,
            status=JobStatus.QUEUED,
        )
        self.session.add(job)
        await self.session.flush()
        return job

    async def get(self, job_id: uuid.UUID) -> Job | None:
        """A job by id, fresh from the database."""
        return await self.session.get(Job, job_id, populate_existing=True)

    async def claim(
        self, job_id: uuid.UUID, lease_seconds: int, per_owner: int | None = None
    ) -> Job | None:
        """Take a due queued job: running, one more attempt, leased. None if not ours.

        With `per_owner`, only while its owner has fewer jobs than that running: one
        user's batch takes turns with everyone else's work instead of filling every worker.
        """
        now = utcnow()
        conditions = [
            Job.id == job_id,
            Job.status == JobStatus.QUEUED,
            or_(Job.not_before.is_(None), Job.not_before <= now),
        ]
        if per_owner is not None:
            running = aliased(Job)
            owner_running = (
                select(func.count())
                .select_from(running)
                .where(running.user_id == Job.user_id, running.status == JobStatus.RUNNING)
                .scalar_subquery()
            )
            conditions.append(owner_running < per_owner)
        result = await self.session.execute(
            update(Job)
            .where(*conditions)
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                lease_until=now + timedelta(seconds=lease_seconds),
                updated_at=now,
            )
        )
        if not getattr(result, "rowcount", 0):
            return None
        return await self.get(job_id)

    async def is_waiting(self, job_id: uuid.UUID) -> bool:
        """True when the job is queued and due (its claim was held back, not taken)."""
        now = utcnow()
        found = await self.session.scalar(
            select(Job.id).where(
                Job.id == job_id,
                Job.status == JobStatus.QUEUED,
                or_(Job.not_before.is_(None), Job.not_before <= now),
            )
        )
        return found is not None

    async def is_running(self, job_id: uuid.UUID) -> bool:
        """True while the job exists and is running (not deleted, reclaimed or finished)."""
        status = await self.session.scalar(select(Job.status).where(Job.id == job_id))
        return status == JobStatus.RUNNING

    async def renew_lease(self, job_id: uuid.UUID, lease_seconds: int) -> bool:
        """Extend a running job's lease; False when it is no longer running."""
        now = utcnow()
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
            .values(lease_until=now + timedelta(seconds=lease_seconds))
        )
        return bool(getattr(result, "rowcount", 0))

    async def requeue(
        self, job_id: uuid.UUID, *, not_before: datetime | None, error: str | None
    ) -> bool:
        """Put a running job back in the queue (retry or reclaimed lease)."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
            .values(
                status=JobStatus.QUEUED,
                lease_until=None,
                not_before=not_before,
                error=error,
                updated_at=utcnow(),
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_succeeded(self, job_id: uuid.UUID) -> bool:
        """Finish a running job; False when it was reclaimed or finished meanwhile."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
            .values(status=JobStatus.SUCCEEDED, lease_until=None, error=None, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_failed(self, job_id: uuid.UUID, error: str) -> bool:
        """Fail an unfinished job; False when it had already succeeded or failed."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            .values(status=JobStatus.FAILED, lease_until=None, error=error, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    async def take_refund(self, job_id: uuid.UUID) -> bool:
        """Flip `refunded` once; only the caller that flips it may refund."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.refunded.is_(False), Job.status == JobStatus.FAILED)
            .values(refunded=True, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    async def save_checkpoint(
        self, job_id: uuid.UUID, checkpoint: str, operation_id: str | None = None
    ) -> None:
        """Remember an engine resume token with the job (and the provider's operation id)."""
        await self.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(checkpoint=checkpoint, operation_id=operation_id, updated_at=utcnow())
        )

    async def awaits_operation(self, operation_id: str) -> bool:
        """True when an unfinished job waits on this provider operation."""
        found = await self.session.scalar(
            select(Job.id)
            .where(
                Job.operation_id == operation_id,
                Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
            )
            .limit(1)
        )
        return found is not None

    async def expired_leases(self) -> Sequence[Job]:
        """Running jobs whose worker stopped renewing their lease."""
        query = select(Job).where(Job.status == JobStatus.RUNNING, Job.lease_until < utcnow())
        return (await self.session.scalars(query)).all()

    async def stale_queued(self, older_than: datetime | None) -> Sequence[Job]:
        """Due queued jobs not touched since `older_than` (None: every due queued job)."""
        now = utcnow()
        query = select(Job).where(
            Job.status == JobStatus.QUEUED, or_(Job.not_before.is_(None), Job.not_before <= now)
        )
        if older_than is not None:
            query = query.where(Job.updated_at < older_than)
        return (await self.session.scalars(query.order_by(Job.created_at))).all()

    async def touch(self, job_ids: Sequence[uuid.UUID]) -> None:
        """Record that these jobs' messages were just re-sent."""
        if job_ids:
            await self.session.execute(
                update(Job).where(Job.id.in_(job_ids)).values(updated_at=utcnow())
            )


class NoticeRepository:
    """Providers' notices about running operations, for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_once(self, message_id: str, operation_id: str, event: str) -> bool:
        """Keep a notice; False when this delivery id was kept before (a provider's retry)."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self.session.execute(
            insert(OperationNotice)
            .values(
                message_id=message_id,
                operation_id=operation_id,
                event=event[:64],
                received_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(OperationNotice.message_id)
        )
        return result.scalar_one_or_none() is not None

    async def count_for(self, operation_id: str) -> int:
        """How many notices arrived about this operation so far."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(OperationNotice)
            .where(OperationNotice.operation_id == operation_id)
        )
        return int(count or 0)

    async def purge_before(self, moment: datetime) -> int:
        """Delete notices received before `moment`; returns how many."""
        result = await self.session.execute(
            delete(OperationNotice).where(OperationNotice.received_at < moment)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
