"""Every project query."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.db.base import utcnow
from ugc.projects.models import ACTIVE_STATUSES, Project


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

    async def claim_for_video(self, project_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """Mark an idle project with an image and no video as queued; False otherwise."""
        result = await self.session.execute(
            update(Project)
            .where(
                Project.id == project_id,
                Project.user_id == user_id,
                Project.status.not_in([s.value for s in ACTIVE_STATUSES]),
                Project.generated_image.is_not(None),
                Project.generated_video.is_(None),
            )
            .values(status="queued", stage="queued", progress=0.0, error=None, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_fields(self, project_id: uuid.UUID, **values: Any) -> None:
        """Update columns of one project (jobs report progress and results this way)."""
        await self.session.execute(
            update(Project).where(Project.id == project_id).values(updated_at=utcnow(), **values)
        )

    async def delete(self, project: Project) -> None:
        """Delete a project (its jobs go with it)."""
        await self.session.delete(project)
        await self.session.flush()

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
