"""Private media over HTTP: signed, expiring URLs of files on local disk."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ugc.errors import NotFound
from ugc.storage.http import file_response
from ugc.storage.local import LocalStorage
from ugc.storage.signing import sign_media

router = APIRouter(tags=["media"], include_in_schema=False)


@router.get("/media/{key:path}")
async def signed_media(
    key: str, exp: int, sig: str, request: Request, dl: str | None = None
) -> Response:
    """A private file behind a signed, expiring URL (local storage only)."""
    # Read from the app directly: storage sits below every other package, deps included.
    storage = request.app.state.storage
    if not isinstance(storage, LocalStorage) or not sign_media.verify(
        storage.secret, key, exp, dl, sig
    ):
        raise NotFound("This link has expired or is not valid.")
    return file_response(storage, key, dl, "private, max-age=3600")
