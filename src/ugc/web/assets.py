"""The stylesheet bundle: the CSS files joined into one response, so a page needs one request."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import Response

CSS_DIR = Path(__file__).parent / "static" / "css"
CSS_PARTS = ("base.css", "components.css", "pages.css")

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def css_bundle() -> tuple[bytes, str]:
    """The joined stylesheet and its content hash (read once per process)."""
    data = b"\n".join((CSS_DIR / name).read_bytes() for name in CSS_PARTS)
    return data, hashlib.sha256(data).hexdigest()[:12]


def css_url() -> str:
    """The stylesheet URL, fingerprinted so browsers may cache it for good."""
    return f"/assets/app.css?v={css_bundle()[1]}"


@router.get("/assets/app.css")
async def stylesheet() -> Response:
    """Every page's CSS in one cacheable response."""
    data, digest = css_bundle()
    return Response(
        data,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{digest}"'},
    )
