"""Read-path project use cases for the GET routes: one indexed Core query each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from ugc.errors import NotFound
from ugc.pagination import decode_cursor, split_page
from ugc.projects import queries
from ugc.projects.queries import ProjectRow


async def owned_project(
    connection: AsyncConnection, user_id: uuid.UUID, project_id: uuid.UUID
) -> ProjectRow:
    """The caller's project, or NotFound (also for other users' projects)."""
    row = await queries.owned_project(connection, project_id, user_id)
    if row is None:
        raise NotFound("No such project.")
    return row


async def list_projects(
    connection: AsyncConnection, user_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[Sequence[ProjectRow], str | None]:
    """A page of the caller's projects and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    rows = await queries.page_for_user(connection, user_id, after, limit + 1)
    return split_page(rows, limit, lambda p: (p.created_at, p.id))


async def list_published(
    connection: AsyncConnection, cursor: str | None, limit: int
) -> tuple[Sequence[ProjectRow], str | None]:
    """A page of the community feed and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    rows = await queries.page_published(connection, after, limit + 1)
    return split_page(rows, limit, lambda p: (p.published_at, p.id))
