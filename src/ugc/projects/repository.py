"""Every project query."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.jobs.models import Job, JobStatus
from ugc.projects.models import ACTIVE_STATUSES, Project

UNFINISHED_JOBS = (JobStatus.QUEUED, JobStatus.RUNNING)


class ProjectRepository:
    """Projects for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, project: Project) -> None:
        """Insert a project."""
        self.session.add(project)
        await self.session.flush()

    async def get(self, project_id: uuid.UUID) -> Project | None:
        """Any project by id (jobs use this)."""
        return await self.session.get(Project, project_id, populate_existing=True)

    async def get_owned(self, project_id: uuid.UUID, user_id: uuid.UUID) -> Project | None:
        """The project when it belongs to `user_id`."""
        return await self.session.scalar(
            select(Project).where(Project.id == project_id, Project.user_id == user_id)
        )

    async def lock_owned(self, project_id: uuid.UUID, user_id: uuid.UUID) -> Project | None:
        """The user's project, fresh, row-locked until commit (PostgreSQL; SQLite serialises).

        A video request, a publish and a delete of the same project take this lock first,
        so each sees the others' committed result instead of racing past a plain read.
        """
        return await self.session.scalar(
            select(Project)
            .where(Project.id == project_id, Project.user_id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def lock_group(self, group: uuid.UUID) -> None:
        """Row-lock every project of a variant group until commit (PostgreSQL).

        Deleting two variants at once must not leave their shared uploads behind: each
        delete waits for the other and then sees whether anyone still uses the files.
        """
        await self.session.execute(
            select(Project.id)
            .where(Project.variant_group == group)
            .order_by(Project.id)  # one order for every locker: no deadlock between deletes
            .with_for_update()
        )

    async def variant_group_of(self, project_id: uuid.UUID, user_id: uuid.UUID) -> uuid.UUID | None:
        """The user's project's variant group, if it has one (a plain read)."""
        return await self.session.scalar(
            select(Project.variant_group).where(
                Project.id == project_id, Project.user_id == user_id
            )
        )

    async def variant_members(
        self, user_id: uuid.UUID, groups: Collection[uuid.UUID]
    ) -> Sequence[tuple[uuid.UUID, uuid.UUID, str]]:
        """(group, project id, aspect ratio) of every project in the user's groups, oldest first."""
        if not groups:
            return []
        rows = await self.session.execute(
            select(Project.variant_group, Project.id, Project.aspect_ratio)
            .where(Project.user_id == user_id, Project.variant_group.in_(list(groups)))
            .order_by(Project.created_at, Project.id)
        )
        return [(group, project_id, ratio) for group, project_id, ratio in rows if group]

    async def still_used(self, keys: list[str]) -> set[str]:
        """Which of these upload keys some project (as of now) still refers to."""
        if not keys:
            return set()
        rows = await self.session.execute(
            select(Project.user_image, Project.product_image).where(
                Project.user_image.in_(keys) | Project.product_image.in_(keys)
            )
        )
        return {key for row in rows for key in row if key in keys}

    async def get_published(self, project_id: uuid.UUID) -> Project | None:
        """The project when it is published."""
        return await self.session.scalar(
            select(Project).where(Project.id == project_id, Project.is_published.is_(True))
        )

    async def page_for_user(
        self, user_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[Project]:
        """A user's projects, newest first, after a keyset cursor."""
        query = select(Project).where(Project.user_id == user_id)
        if after is not None:
            query = query.where(tuple_(Project.created_at, Project.id) < tuple_(*after))
        query = query.order_by(Project.created_at.desc(), Project.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()

    async def page_published(
        self, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[Project]:
        """Published projects, most recently published first."""
        query = select(Project).where(Project.is_published.is_(True))
        if after is not None:
            query = query.where(tuple_(Project.published_at, Project.id) < tuple_(*after))
        query = query.order_by(Project.published_at.desc(), Project.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()

    async def has_unfinished_job(self, project_id: uuid.UUID) -> bool:
        """True while a job of the project is queued or running."""
        found = await self.session.scalar(
            select(exists().where(Job.project_id == project_id, Job.status.in_(UNFINISHED_JOBS)))
        )
        return bool(found)

    async def delete_idle(self, project_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """Delete the project only if it is idle and no job of it is unfinished.

        Its finished jobs go with it (cascade); a paid job that has not finished or
        refunded never does, whatever committed between the caller's read and this.
        """
        unfinished = exists().where(Job.project_id == Project.id, Job.status.in_(UNFINISHED_JOBS))
        result = await self.session.execute(
            delete(Project)
            .where(
                Project.id == project_id,
                Project.user_id == user_id,
                Project.status.not_in(ACTIVE_STATUSES),
                ~unfinished,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def for_user(self, user_id: uuid.UUID) -> Sequence[Project]:
        """Every project of a user, oldest first (account export)."""
        query = select(Project).where(Project.user_id == user_id)
        return (await self.session.scalars(query.order_by(Project.created_at))).all()

    async def delete_all_for_user(self, user_id: uuid.UUID) -> list[str]:
        """Delete every project of a user (their jobs go with them); the storage keys they held.

        The keys come back from the DELETE itself, so a job that finished just before it
        (and wrote its result's key) is covered too.
        """
        result = await self.session.execute(
            delete(Project)
            .where(Project.user_id == user_id)
            .returning(
                Project.user_image,
                Project.product_image,
                Project.generated_image,
                Project.scene,
                Project.generated_video,
            )
        )
        return [key for row in result.all() for key in row if key]
