"""Build the configured Storage adapter from UGC_STORAGE_URL."""

from __future__ import annotations

from pathlib import Path

from ugc.config import Settings
from ugc.storage.base import Storage


def build_storage(settings: Settings, secret: str) -> Storage:
    """file:// (default), s3:// or cloudinary://, chosen by the URL's scheme."""
    url = settings.storage_url
    if url.startswith("file://"):
        from ugc.storage.local import LocalStorage

        return LocalStorage(
            Path(url.removeprefix("file://")), secret, base_url=settings.public_url or ""
        )
    if url.startswith("s3://"):
        from ugc.storage.s3 import S3Storage

        return S3Storage(url)
    from ugc.storage.cloudinary import CloudinaryStorage  # type: ignore[import-not-found,unused-ignore]

    storage: Storage = CloudinaryStorage(url)
    return storage
