"""Cloudinary storage: media under images/, videos/ and uploads/ public ids, secure URLs.

`cloudinary://KEY:SECRET@CLOUD[/root-folder][?upload_prefix=URL&delivery_prefix=URL]`.
The two prefixes exist to point the SDK at another API host (a proxy or a local fake).
Delivery URLs are Cloudinary's public "upload" URLs: they do not expire, so `expires_in`
is always met; the unguessable ids in keys are what keep media private.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
import httpx

from ugc.storage.base import ObjectNotFound, StorageError

logger = logging.getLogger(__name__)

SHARED_CDN = "https://res.cloudinary.com"
IMAGE_FORMATS = {"png", "jpg", "jpeg", "webp", "gif", "avif", "heic"}
VIDEO_FORMATS = {"mp4", "mov", "webm", "m4v"}
TIMEOUT_SECONDS = 120.0
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_\-./]+$")


@dataclass(frozen=True, slots=True)
class Asset:
    """Where a storage key lives in Cloudinary."""

    public_id: str
    resource_type: str  # image | video | raw
    format: str | None  # delivery extension; raw ids keep theirs inside the public id


class CloudinaryStorage:
    """Storage port over the Cloudinary Upload API (blocking SDK calls run in a thread)."""

    def __init__(
        self,
        url: str,
        *,
        upload_prefix: str | None = None,
        delivery_prefix: str | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "cloudinary" or not (parts.username and parts.password):
            raise ValueError("UGC_STORAGE_URL must look like cloudinary://KEY:SECRET@CLOUD")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        self._cloud = parts.hostname or ""
        self._root = parts.path.strip("/")
        self._auth: dict[str, Any] = {
            "api_key": unquote(parts.username),
            "api_secret": unquote(parts.password),
            "cloud_name": self._cloud,
        }
        prefix = upload_prefix or query.get("upload_prefix")
        if prefix:
            self._auth["upload_prefix"] = prefix.rstrip("/")
        self._delivery = (delivery_prefix or query.get("delivery_prefix") or "").rstrip("/")

    def asset(self, key: str) -> Asset:
        """The public id, resource type and format a storage key maps to."""
        if not key or key.startswith("/") or ".." in key or not _SAFE_KEY.match(key):
            raise StorageError(f"Invalid storage key: {key!r}")
        full = f"{self._root}/{key}" if self._root else key
        stem, dot, ext = full.rpartition(".")
        ext = ext.lower() if dot and "/" not in ext else ""
        if ext in IMAGE_FORMATS:
            return Asset(stem, "image", ext)
        if ext in VIDEO_FORMATS:
            return Asset(stem, "video", ext)
        return Asset(full, "raw", None)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload `data` under `key`, replacing (and invalidating) what was there."""
        asset = self.asset(key)
        options = {
            **self._auth,
            "public_id": asset.public_id,
            "resource_type": asset.resource_type,
            "overwrite": True,
            "invalidate": True,
            "unique_filename": False,
            "timeout": TIMEOUT_SECONDS,
        }
        result = await self._call(key, cloudinary.uploader.upload, data, **options)
        logger.info(
            "cloudinary upload",
            extra={"key": key, "public_id": result.get("public_id"), "bytes": len(data)},
        )

    async def get(self, key: str) -> bytes:
        """Download the object through its secure delivery URL."""
        url = self.delivery_url(key)
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.get(url)
        except httpx.HTTPError as exc:
            raise StorageError(f"Could not download {key} from Cloudinary: {exc}") from exc
        if response.status_code == 404:
            raise ObjectNotFound(key)
        if response.status_code != 200:
            raise StorageError(f"Cloudinary answered {response.status_code} for {key}")
        return response.content

    async def delete(self, key: str) -> None:
        """Destroy the asset; a missing one is fine."""
        asset = self.asset(key)
        options = {**self._auth, "resource_type": asset.resource_type, "invalidate": True}
        options["type"] = "upload"
        try:
            result = await self._call(key, cloudinary.uploader.destroy, asset.public_id, **options)
        except ObjectNotFound:
            return
        if result.get("result") not in ("ok", "not found"):
            raise StorageError(f"Cloudinary could not delete {key}: {result.get('result')}")

    async def url(self, key: str, *, expires_in: int, download_name: str | None = None) -> str:
        """The secure URL of `key` (public and permanent, so valid for any `expires_in`)."""
        return self.delivery_url(key, download_name=download_name)

    def delivery_url(self, key: str, *, download_name: str | None = None) -> str:
        """The https URL Cloudinary serves `key` from, optionally as a named download."""
        asset = self.asset(key)
        options: dict[str, Any] = {
            "resource_type": asset.resource_type,
            "type": "upload",
            "secure": True,
            "cloud_name": self._cloud,
        }
        if asset.format:
            options["format"] = asset.format
        if download_name:
            # Cloudinary wants the attachment name without extension or odd characters.
            stem = re.sub(r"[^A-Za-z0-9_-]+", "_", download_name.rsplit(".", 1)[0]).strip("_")
            options["flags"] = f"attachment:{stem or 'download'}"
        url: str = cloudinary.utils.cloudinary_url(asset.public_id, **options)[0]
        if self._delivery and url.startswith(SHARED_CDN):
            url = self._delivery + url[len(SHARED_CDN) :]
        return url

    async def _call(self, key: str, fn: Any, *args: Any, **options: Any) -> dict[str, Any]:
        try:
            result = await asyncio.to_thread(fn, *args, **options)
        except cloudinary.exceptions.NotFound as exc:
            raise ObjectNotFound(key) from exc
        except (cloudinary.exceptions.Error, OSError, ValueError) as exc:
            # Cloudinary messages never contain the secret; the key is safe to show.
            raise StorageError(f"Cloudinary failed for {key}: {exc}") from exc
        if not isinstance(result, dict):
            raise StorageError(f"Cloudinary gave an unexpected answer for {key}")
        return result
