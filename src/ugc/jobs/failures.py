"""Failing a job for good: the message the user sees, and a refund that runs once."""

from __future__ import annotations

import logging
import uuid

from ugc.credits.models import LedgerReason
from ugc.credits.service import add_credits
from ugc.db.engine import Database
from ugc.jobs.models import JobKind
from ugc.jobs.repository import JobRepository
from ugc.projects.models import ProjectStatus
from ugc.projects.repository import ProjectRepository

log = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong while generating."


def failure_message(kind: str, reason: str, cost: int) -> str:
    """The sentence shown on the project: what failed, why, and the refund."""
    what = "The video could not be made" if kind == JobKind.VIDEO else "The image could not be made"
    reason = reason.strip()
    if reason and not reason.endswith((".", "!", "?")):
        reason += "."
    refund = f" Your {cost} credits were refunded." if cost else ""
    return f"{what}: {reason}{refund}"


async def fail_job(db: Database, job_id: uuid.UUID, reason: str) -> bool:
    """Fail the job, refund its credits exactly once, tell the project. False if already done."""
    async with db.session() as session:
        jobs = JobRepository(session)
        job = await jobs.get(job_id)
        if job is None or not await jobs.mark_failed(job_id, reason):
            await session.rollback()
            return False
        if await jobs.take_refund(job_id) and job.cost:
            await add_credits(
                session,
                job.user_id,
                job.cost,
                LedgerReason.REFUND,
                project_id=job.project_id,
                job_id=job.id,
            )
        # A failed video leaves the project's image in place: the project stays usable.
        status = ProjectStatus.READY if job.kind == JobKind.VIDEO else ProjectStatus.FAILED
        await ProjectRepository(session).set_fields(
            job.project_id,
            status=status.value,
            stage=None,
            progress=0.0,
            error=failure_message(job.kind, reason, job.cost),
        )
        await session.commit()
    log.warning(
        "job failed and refunded",
        extra={"job_id": str(job_id), "project_id": str(job.project_id), "reason": reason},
    )
    return True
