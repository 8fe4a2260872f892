"""S3-compatible storage through obstore, with presigned GET URLs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import S3Store

from ugc.storage.base import ObjectNotFound, StorageError


class S3Storage:
    """Objects in `s3://bucket/prefix`; credentials and endpoint from AWS_* variables."""

    def __init__(self, url: str, **config: Any) -> None:
        self.store = S3Store.from_url(url, **config)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload `data` under `key`."""
        try:
            await obstore.put_async(
                self.store, key, data, attributes={"Content-Type": content_type}
            )
        except Exception as exc:
            raise StorageError(f"could not store {key}: {exc}") from exc

    async def get(self, key: str) -> bytes:
        """Download the bytes under `key`."""
        try:
            result = await obstore.get_async(self.store, key)
            return bytes(await result.bytes_async())
        except NotFoundError:
            raise ObjectNotFound(key) from None
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    async def delete(self, key: str) -> None:
        """Delete `key`; missing keys are fine."""
        try:
            await obstore.delete_async(self.store, key)
        except (NotFoundError, FileNotFoundError):
            return

    async def url(self, key: str, *, expires_in: int, download_name: str | None = None) -> str:
        """A presigned GET URL."""
        signed: str = await obstore.sign_async(
            self.store, "GET", key, timedelta(seconds=expires_in)
        )
        return signed
