"""Still-image helpers for the Google engines: MIME sniffing and PNG normalisation."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from ugc.engines.base import EngineUnavailable


def image_mime(data: bytes) -> str:
    """The MIME type of an encoded JPEG, PNG or WEBP photo, from its first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return "application/octet-stream"


def cover_png(data: bytes, size: tuple[int, int]) -> bytes:
    """Scale and centre-crop an encoded image to exactly `size`, encoded as PNG."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            picture = source.convert("RGBA" if source.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        # A truncated or garbled answer is worth a second try, not a user-facing refusal.
        raise EngineUnavailable("The image service returned an image that cannot be read.") from exc
    fitted = ImageOps.fit(picture, size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    out = io.BytesIO()
    # zlib's fastest level: a fifth of the default's CPU (0.14 against 0.71 s for a
    # 1080x1920 ad) for a file about a sixth larger; at the default it was the largest cost
    # of a cloud worker's image job after the product check.
    fitted.save(out, format="PNG", compress_level=1)
    return out.getvalue()
