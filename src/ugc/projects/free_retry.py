"""The free "Try again" owed when a paid image came out with the product changed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.config import Settings
from ugc.db.session import after_commit
from ugc.errors import Conflict, ProjectBusy, VideoExists
from ugc.jobs.context import JobQueue
from ugc.jobs.repository import JobRepository
from ugc.projects import lifecycle
from ugc.projects.models import ACTIVE_STATUSES, JobKind, Project
from ugc.projects.service import get_owned_project


class NoFreeRetry(Conflict):
    """The free retry was used already, or none is owed."""

    code = "no_free_retry"


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
        raise ProjectBusy("This project is generating; wait until it finishes.")
    if project.generated_video is not None:
        raise VideoExists("This project already has a video made from its image.")
    if not await lifecycle.claim_free_retry(session, project.id, user.id):
        raise NoFreeRetry("This project has no free retry left.")
    # cost 0: nothing to reserve, nothing to refund, and its result owes no further retry.
    job = await JobRepository(session).create(
        job_id=uuid.uuid4(),
        kind=JobKind.IMAGE.value,
        project_id=project.id,
        user_id=project.user_id,
        cost=0,
        max_attempts=settings.job_max_attempts,
    )
    after_commit(session, lambda: queue.enqueue(job.id))
    return project
