"""Media over HTTP: signed local files, and stable URLs for published media."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from ugc.db.session import SessionDep
from ugc.deps import StorageDep
from ugc.errors import NotFound
from ugc.projects.presenter import download_name
from ugc.projects.repository import ProjectRepository
from ugc.storage.local import LocalStorage
from ugc.storage.signing import sign_media

router = APIRouter(tags=["media"], include_in_schema=False)

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "mp4": "video/mp4",
}


def _file_response(storage: LocalStorage, key: str, download: str | None, cache: str) -> Response:
    path = storage.path_for(key)
    if not path.is_file():
        raise NotFound("This file no longer exists.")
    media_type = CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream")
    # FileResponse answers Range requests, which video players rely on for seeking.
    response = FileResponse(path, media_type=media_type, filename=download)
    if download is None:
        response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = cache
    return response


@router.get("/media/published/{project_id}/{kind}.{extension}")
async def published_media(
    project_id: uuid.UUID,
    kind: Literal["image", "video"],
    extension: str,
    request: Request,
    session: SessionDep,
    storage: StorageDep,
) -> Response:
    """A published project's image or video at a URL that never changes."""
    project = await ProjectRepository(session).get_published(project_id)
    key = None
    if project is not None:
        key = project.generated_image if kind == "image" else project.generated_video
    if project is None or key is None:
        raise NotFound("This ad is not published.")
    download = download_name(project, kind) if "download" in request.query_params else None
    if isinstance(storage, LocalStorage):
        return _file_response(storage, key, download, "public, max-age=300")
    return RedirectResponse(await storage.url(key, expires_in=3600, download_name=download), 302)


@router.get("/media/{key:path}")
async def signed_media(
    key: str, exp: int, sig: str, storage: StorageDep, dl: str | None = None
) -> Response:
    """A private file behind a signed, expiring URL (local storage only)."""
    if not isinstance(storage, LocalStorage) or not sign_media.verify(
        storage.secret, key, exp, dl, sig
    ):
        raise NotFound("This link has expired or is not valid.")
    return _file_response(storage, key, dl, "private, max-age=3600")
