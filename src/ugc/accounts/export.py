"""An account's data as one ZIP: profile, ledger, purchases and projects as JSON, and media.

The archive is written to a temporary file (spilling to disk past a few MB) off the event
loop, one media file in memory at a time, and streamed back from there.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import zipfile
from collections.abc import AsyncIterator
from typing import IO, Any

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.billing.repository import PurchaseRepository
from ugc.credits.repository import CreditRepository
from ugc.projects.models import Project
from ugc.projects.repository import ProjectRepository
from ugc.storage.base import ObjectNotFound, Storage

CHUNK = 256 * 1024
LEDGER_PAGE = 500
IN_MEMORY_BYTES = 8 * 1024 * 1024
MEDIA_FIELDS = (
    ("user_image", "person"),
    ("product_image", "product"),
    ("generated_image", "image"),
    ("generated_video", "video"),
)


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def _ledger(session: AsyncSession, user: User) -> list[dict[str, Any]]:
    repo = CreditRepository(session)
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        page = await repo.history(user.id, after=after, limit=LEDGER_PAGE)
        rows += [
            {
                "delta": e.delta,
                "reason": e.reason,
                "projectId": str(e.project_id) if e.project_id else None,
                "reference": e.reference,
                "createdAt": _when(e.created_at),
            }
            for e in page
        ]
        if len(page) < LEDGER_PAGE:
            return rows
        after = (page[-1].created_at, page[-1].id)


async def _purchases(session: AsyncSession, user: User) -> list[dict[str, Any]]:
    return [
        {
            "checkoutSessionId": p.checkout_session_id,
            "pack": p.pack_name,
            "credits": p.credits,
            "amount": p.amount,
            "currency": p.currency,
            "status": p.status,
            "creditsTakenBack": p.credits_reversed,
            "createdAt": _when(p.created_at),
        }
        for p in await PurchaseRepository(session).for_user(user.id, limit=10_000)
    ]


def _media_name(project: Project, role: str, key: str) -> str:
    extension = key.rsplit(".", 1)[-1] if "." in key else "bin"
    return f"media/{project.id}/{role}.{extension}"


def _project_record(project: Project) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": str(project.id),
        "name": project.name,
        "productName": project.product_name,
        "productDescription": project.product_description,
        "userPrompt": project.user_prompt,
        "aspectRatio": project.aspect_ratio,
        "status": project.status,
        "error": project.error,
        "isPublished": project.is_published,
        "publishedAt": _when(project.published_at),
        "createdAt": _when(project.created_at),
        "media": {},
    }
    for field, role in MEDIA_FIELDS:
        key = getattr(project, field)
        if key:
            record["media"][role] = _media_name(project, role, key)
    return record


async def build_export(session: AsyncSession, user: User, storage: Storage) -> IO[bytes]:
    """The account's export as a ZIP in a temporary file, positioned at its start."""
    projects = await ProjectRepository(session).for_user(user.id)
    documents = {
        "profile.json": {
            "id": str(user.id),
            "email": user.email,
            "signsInWith": "password" if user.password_hash else "external identity",
            "credits": user.credits,
            "createdAt": _when(user.created_at),
        },
        "ledger.json": await _ledger(session, user),
        "purchases.json": await _purchases(session, user),
        "projects.json": [_project_record(p) for p in projects],
    }
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    archive = zipfile.ZipFile(spool, "w")
    try:
        for name, document in documents.items():
            text = json.dumps(document, indent=2, ensure_ascii=False)
            await asyncio.to_thread(archive.writestr, name, text, zipfile.ZIP_DEFLATED)
        for project in projects:
            for field, role in MEDIA_FIELDS:
                key = getattr(project, field)
                if not key:
                    continue
                try:
                    data = await storage.get(key)
                except ObjectNotFound:
                    continue
                # Photos and videos are compressed already: store them as they are.
                name = _media_name(project, role, key)
                await asyncio.to_thread(archive.writestr, name, data, zipfile.ZIP_STORED)
    finally:
        await asyncio.to_thread(archive.close)
    spool.seek(0)
    return spool


async def stream_file(file: IO[bytes]) -> AsyncIterator[bytes]:
    """The file's bytes in chunks, read off the event loop; closes it at the end."""
    try:
        while chunk := await asyncio.to_thread(file.read, CHUNK):
            yield chunk
    finally:
        file.close()
