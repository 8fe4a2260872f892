"""The Storage port: put, get, delete and URL of stored media, by key."""

from __future__ import annotations

from typing import Protocol


class StorageError(Exception):
    """A storage backend failed to read or write an object."""


class ObjectNotFound(StorageError):
    """No object is stored under that key."""


class Storage(Protocol):
    """Where uploads and generated media live.

    Keys look like `uploads/{project}/person.jpg`, `images/{id}.png`, `videos/{id}.mp4`.
    """

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""
        ...

    async def get(self, key: str) -> bytes:
        """Return the bytes under `key`, or raise ObjectNotFound."""
        ...

    async def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""
        ...

    async def url(self, key: str, *, expires_in: int, download_name: str | None = None) -> str:
        """A URL a browser can fetch `key` from, valid for at least `expires_in` seconds."""
        ...
