"""Failing a job for good: marked once, its refund flag taken once, its handler told."""

from __future__ import annotations

import logging
import uuid

from ugc.db.engine import Database
from ugc.db.session import commit_session
from ugc.jobs.handlers import handler_for
from ugc.jobs.repository import JobRepository

log = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong while generating."


async def fail_job(db: Database, job_id: uuid.UUID, reason: str) -> bool:
    """Fail the job and let its handler refund exactly once. False if already finished."""
    async with db.session() as session:
        jobs = JobRepository(session)
        job = await jobs.get(job_id)
        if job is None or not await jobs.mark_failed(job_id, reason):
            await session.rollback()
            return False
        refund = await jobs.take_refund(job_id)
        await handler_for(job.kind).failed(session, job, reason, refund)
        await commit_session(session)
    log.warning(
        "job failed",
        extra={
            "job_id": str(job_id),
            "project_id": str(job.project_id),
            "reason": reason,
            "refunded": refund,
        },
    )
    return True
