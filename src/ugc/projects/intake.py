"""A create request's photos: read within the limit, decoded once the caller can pay."""

from __future__ import annotations

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.db.session import end_transaction
from ugc.projects import service
from ugc.projects.uploads import CheckedImage, DecodeGate


async def read_capped(upload: UploadFile | None, max_bytes: int) -> bytes | None:
    """The upload's bytes, reading at most one byte past the limit."""
    if upload is None or (not upload.filename and not upload.size):
        return None
    return await upload.read(max_bytes + 1)


async def checked_photos(
    session: AsyncSession,
    user: User,
    cost: int,
    decode_gate: DecodeGate,
    photos: tuple[bytes | None, bytes | None],
    max_bytes: int,
) -> tuple[CheckedImage, CheckedImage]:
    """Both photos decoded and checked, once the caller is known to be able to pay."""
    # Cheap checks first: no CPU spent decoding for someone who cannot pay.
    service.check_affordable(user, cost)
    # Decode with no transaction open and no connection held; reserve afterwards.
    await end_transaction(session)
    async with decode_gate.slot(user.id):
        return await service.check_photos(*photos, max_bytes)
