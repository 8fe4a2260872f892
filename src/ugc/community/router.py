"""HTTP for the public community feed."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ugc.db.session import ReaderDep
from ugc.deps import PresenterDep
from ugc.errors import InvalidInput, documented
from ugc.projects import reads
from ugc.projects.schemas import PublicPage
from ugc.schemas import json_response

router = APIRouter(tags=["community"])


@router.get("/api/project/published", response_model=PublicPage, responses=documented(InvalidInput))
async def published(
    reader: ReaderDep,
    presenter: PresenterDep,
    cursor: str | None = None,
    limit: int = Query(default=24, ge=1, le=100),
) -> Response:
    """Published ads, most recently published first; public fields only."""
    rows, next_cursor = await reads.list_published(reader, cursor, limit)
    projects = [presenter.public(p) for p in rows]
    return json_response(PublicPage(projects=projects, next_cursor=next_cursor))
