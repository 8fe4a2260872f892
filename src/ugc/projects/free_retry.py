"""The free "Try again" owed when a paid image came out with the product changed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.config import Settings
from ugc.db.session import after_commit
from ugc.errors import Conflict
from ugc.jobs.context import JobQueue
from ugc.jobs.models import Job, JobKind
from ugc.projects.models import ACTIVE_STATUSES, Project
from ugc.projects.repository import ProjectRepository
from ugc.projects.service import get_owned_project


async def retry_image_free(
    session: AsyncSession,
    *,
    user: User,
    project_id: uuid.UUID,
    settings: Settings,
    queue: JobQueue,
) -> Project:
    """Queue a new image at no charge, once, for an image whose product changed."""
    project = await get_owned_project(session, user, project_id)
    if project.status in ACTIVE_STATUSES:
        raise Conflict("This project is generating; wait until it finishes.")
    if project.generated_video is not None:
        raise Conflict("This project already has a video made from its image.")
    if not await ProjectRepository(session).claim_free_retry(project.id, user.id):
        raise Conflict("This project has no free retry left.")
    # cost 0: nothing to reserve, nothing to refund, and its result owes no further retry.
    job = Job(
        id=uuid.uuid4(),
        project_id=project.id,
        user_id=project.user_id,
        kind=JobKind.IMAGE.value,
        cost=0,
        max_attempts=settings.job_max_attempts,
    )
    session.add(job)
    await session.flush()
    after_commit(session, lambda: queue.enqueue(job.id))
    return project
