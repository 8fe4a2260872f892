"""Upload checks: decode to prove it is an image, enforce size and resolution limits."""

from __future__ import annotations

import asyncio
import io
import struct
import uuid
import warnings
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ugc.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from ugc.projects.integrity import Incomplete, Unsupported, check_complete

FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
MIN_SHORT_SIDE = 256
MAX_PIXELS = 40_000_000
ORIENTATION_TAG = 0x0112


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An upload that decoded cleanly, upright (EXIF orientation applied)."""

    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def _open(data: bytes, label: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
        OSError,  # a WEBP cut short fails as it opens
    ):
        raise UnsupportedMedia(
            f"The {label} is not an image we can read. Use a JPEG, PNG or WEBP photo."
        ) from None
    if image.format not in FORMATS:
        raise UnsupportedMedia(
            f"The {label} is a {image.format or 'unknown'} file. Use a JPEG, PNG or WEBP photo."
        )
    return image


def _check_dimensions(image: Image.Image, label: str) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise InvalidInput(
            f"The {label} is {width}x{height} pixels; the limit is 40 megapixels. "
            "Use a smaller photo."
        )
    if min(width, height) < MIN_SHORT_SIDE:
        raise InvalidInput(
            f"The {label} is {width}x{height} pixels; it needs at least "
            f"{MIN_SHORT_SIDE} pixels on its short side."
        )


def _incomplete(label: str) -> InvalidInput:
    return InvalidInput(
        f"The {label} is incomplete: its data ends before the image does. "
        "Export it again and retry."
    )


def _damaged(label: str) -> UnsupportedMedia:
    return UnsupportedMedia(f"The {label} is damaged or incomplete. Export it again and retry.")


def check_image(data: bytes, label: str, max_bytes: int) -> CheckedImage:
    """Validate an upload by decoding it fully; raise a clear 4xx error otherwise."""
    if not data:
        raise InvalidInput(f"The {label} is missing or empty.")
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The {label} is {len(data) / 1048576:.1f} MB; the limit is "
            f"{max_bytes / 1048576:g} MB per photo."
        )
    image = _open(data, label)
    _check_dimensions(image, label)
    try:
        check_complete(data, str(image.format))
    except Unsupported:
        raise UnsupportedMedia(
            f"The {label} uses a JPEG variant we do not read. Use a JPEG, PNG or WEBP photo."
        ) from None
    except (Incomplete, struct.error):
        raise _incomplete(label) from None
    try:
        image.load()  # truncated or corrupt data fails here, not later in a job
    except OSError as exc:
        if "truncated" in str(exc):
            raise _incomplete(label) from None
        raise _damaged(label) from None
    except (SyntaxError, ValueError):
        raise _damaged(label) from None
    extension, content_type = FORMATS[str(image.format)]
    orientation = image.getexif().get(ORIENTATION_TAG, 1)
    if orientation not in (1, None):
        upright = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        save_format = "PNG" if image.format == "PNG" else "JPEG"
        if save_format == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(buffer, format=save_format, quality=95)
        extension, content_type = FORMATS[save_format]
        data, image = buffer.getvalue(), upright
    return CheckedImage(data, extension, content_type, image.width, image.height)


class DecodeGate:
    """Bounds photo decoding: `slots` requests at once per process, `per_user` per user.

    Decoding two 40-megapixel photos takes seconds of CPU; without a bound, a burst of
    uploads starves every other request of the process's cores. With `per_user` below
    `slots`, one user's burst waits in its own line and leaves slots for everyone else.
    Waiting holds no database connection: callers decode outside any transaction.
    """

    def __init__(self, slots: int, per_user: int) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._per_user = per_user
        self._users: dict[uuid.UUID, asyncio.Semaphore] = {}
        self._waiting: Counter[uuid.UUID] = Counter()

    def in_flight(self, user_id: uuid.UUID) -> int:
        """Requests of this user decoding or waiting to."""
        return self._waiting[user_id]

    @asynccontextmanager
    async def slot(self, user_id: uuid.UUID) -> AsyncIterator[None]:
        """Hold one of the user's slots and one of the process's for the block."""
        user_line = self._users.setdefault(user_id, asyncio.Semaphore(self._per_user))
        self._waiting[user_id] += 1
        try:
            async with user_line, self._slots:
                yield
        finally:
            self._waiting[user_id] -= 1
            if not self._waiting[user_id]:
                del self._waiting[user_id]
                del self._users[user_id]
