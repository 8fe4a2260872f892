"""HTTP for the public community feed."""

from __future__ import annotations

from fastapi import APIRouter, Query

from ugc.deps import PresenterDep, SessionDep
from ugc.projects import service
from ugc.projects.schemas import PublicPage

router = APIRouter(tags=["community"])


@router.get("/api/project/published")
async def published(
    session: SessionDep,
    presenter: PresenterDep,
    cursor: str | None = None,
    limit: int = Query(default=24, ge=1, le=100),
) -> PublicPage:
    """Published ads, most recently published first; public fields only."""
    rows, next_cursor = await service.list_published(session, cursor, limit)
    return PublicPage(projects=[presenter.public(p) for p in rows], next_cursor=next_cursor)
