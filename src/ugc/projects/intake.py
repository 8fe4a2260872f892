"""A create request's photos: read within the limit, claimed once, decoded once the caller can pay.

The create and variants routes take their requests in the same steps: the brief is checked
first (by the route, with whatever else it parses), then `take_in` reads both photos and
claims the Idempotency-Key over the brief, the extra fields and the photos' bytes (or finds
the response to replay), and `checked_photos` decodes them once the cost is known to be covered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.db.session import end_transaction
from ugc.idempotency.http import claim_or_replay
from ugc.idempotency.service import KeyCompletion
from ugc.projects import service
from ugc.projects.uploads import CheckedImage, DecodeGate

Photos = tuple[bytes | None, bytes | None]


@dataclass(frozen=True, slots=True)
class Intake:
    """The photos' bytes as sent, and the request's idempotency claim (None without a key)."""

    photos: Photos
    claim: KeyCompletion | None


def brief_form(
    product_name: Annotated[str, Form(alias="productName")] = "",
    name: Annotated[str, Form()] = "",
    product_description: Annotated[str, Form(alias="productDescription")] = "",
    user_prompt: Annotated[str, Form(alias="userPrompt")] = "",
) -> service.Brief:
    """The brief's text fields as sent (unchecked: the route checks it, after sign-in)."""
    return service.Brief(
        product_name=product_name,
        name=name,
        product_description=product_description,
        user_prompt=user_prompt,
    )


BriefForm = Annotated[service.Brief, Depends(brief_form)]


async def read_capped(upload: UploadFile | None, max_bytes: int) -> bytes | None:
    """The upload's bytes, reading at most one byte past the limit."""
    if upload is None or (not upload.filename and not upload.size):
        return None
    return await upload.read(max_bytes + 1)


async def take_in(
    request: Request,
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    key: str | None,
    route: str,
    brief: service.Brief,
    uploads: tuple[UploadFile | None, UploadFile | None],
    max_bytes: int,
    fields: Iterable[tuple[str, str]] = (),
) -> Intake | JSONResponse:
    """Both photos read within the limit and the key claimed; or the first answer to replay."""
    person, product = uploads
    photos = (await read_capped(person, max_bytes), await read_capped(product, max_bytes))
    claim = await claim_or_replay(
        request,
        session,
        user_id=user_id,
        key=key,
        route=route,
        fields=[("brief", repr(brief)), *fields],
        files=photos,
    )
    if isinstance(claim, JSONResponse):
        return claim
    return Intake(photos=photos, claim=claim)


async def checked_photos(
    session: AsyncSession,
    user: User,
    cost: int,
    decode_gate: DecodeGate,
    photos: Photos,
    max_bytes: int,
) -> tuple[CheckedImage, CheckedImage]:
    """Both photos decoded and checked, once the caller is known to be able to pay."""
    # Cheap checks first: no CPU spent decoding for someone who cannot pay.
    service.check_affordable(user, cost)
    # Decode with no transaction open and no connection held; reserve afterwards.
    await end_transaction(session)
    async with decode_gate.slot(user.id):
        return await service.check_photos(*photos, max_bytes)
