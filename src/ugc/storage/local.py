"""Local-disk storage; the app serves files at /media with signed, expiring URLs."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

from ugc.storage.base import ObjectNotFound, StorageError
from ugc.storage.signing import sign_media


class LocalStorage:
    """Files under one root directory; keys are relative paths."""

    def __init__(self, root: Path, secret: str, *, base_url: str = "") -> None:
        self.root = root.resolve()
        self.secret = secret
        self.base_url = base_url.rstrip("/")

    def path_for(self, key: str) -> Path:
        """The file behind a key; refuses keys that escape the root."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise StorageError(f"invalid storage key: {key!r}")
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: readers never see half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`."""
        await asyncio.to_thread(self._write, key, data)

    async def get(self, key: str) -> bytes:
        """The bytes under `key`."""
        path = self.path_for(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    async def delete(self, key: str) -> None:
        """Remove `key` if present."""
        await asyncio.to_thread(self.path_for(key).unlink, missing_ok=True)

    async def url(self, key: str, *, expires_in: int, download_name: str | None = None) -> str:
        """A signed /media URL valid for `expires_in` seconds."""
        expires = sign_media.expiry(expires_in)
        params = {"exp": str(expires)}
        if download_name:
            params["dl"] = download_name
        params["sig"] = sign_media(self.secret, key, expires, download_name)
        return f"{self.base_url}/media/{quote(key)}?{urlencode(params)}"
