"""Serving a locally stored file over HTTP, with Range support and a safe disposition."""

from __future__ import annotations

from fastapi.responses import FileResponse, Response

from ugc.errors import NotFound
from ugc.storage.local import LocalStorage

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "mp4": "video/mp4",
}


def file_response(storage: LocalStorage, key: str, download: str | None, cache: str) -> Response:
    """The stored file as a response; NotFound when it no longer exists."""
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
