"""Security headers on every response: a Content-Security-Policy with a per-request nonce for
the pages' inline CSS, no sniffing, no framing, a careful referrer; stricter for media."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ugc.config import Settings

# Swagger UI and ReDoc are FastAPI's pages: an inline script and a CDN, no user content.
DOCS_PATHS = ("/docs", "/redoc")
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# Stored files are shown as themselves, never as a document that could run anything.
MEDIA_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
# What a stored file may be shown inline as; anything else is offered as a download.
INLINE_MEDIA_TYPES = frozenset({b"image/png", b"image/jpeg", b"image/webp", b"video/mp4"})
COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


def page_policy(
    nonce: str, media_sources: Iterable[str] = (), form_targets: Iterable[str] = ()
) -> str:
    """The pages' policy: scripts from our origin only, inline CSS only with the nonce.

    `form_targets` are origins a form's redirect may lead to (Stripe Checkout: the Plans
    page's buttons post to us and we send the browser on to pay).
    """
    media = " ".join(("'self'", "blob:", "https:", *media_sources))
    forms = " ".join(("'self'", *form_targets))
    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        f"img-src {media} data:; media-src {media}; connect-src 'self'; "
        f"font-src 'self'; object-src 'none'; base-uri 'none'; form-action {forms}; "
        "frame-ancestors 'none'"
    )


def checkout_origins(settings: Settings) -> list[str]:
    """Where the Plans page's forms may send the browser: Stripe Checkout (or its stand-in)."""
    if not settings.payments_enabled:
        return []
    origins = ["https://checkout.stripe.com"]
    if settings.stripe_api_base:
        parts = urlsplit(settings.stripe_api_base)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def storage_origins(settings: Settings, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Where pages load media from besides our origin and https: an S3 endpoint over http."""
    if not settings.storage_url.startswith("s3://"):
        return []
    endpoint = environ.get("AWS_ENDPOINT_URL") or environ.get("AWS_ENDPOINT") or ""
    parts = urlsplit(endpoint)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme == "http" and parts.netloc else []


def csp_nonce(scope: Scope) -> str:
    """The nonce of this request's policy ('' outside the middleware, e.g. in unit tests)."""
    return str(scope.get("state", {}).get("csp_nonce", ""))


def safe_disposition(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A stored file of a type we do not show inline is always an attachment."""
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if content_type.split(b";")[0].strip().lower() in INLINE_MEDIA_TYPES:
        return headers
    kept = [(k, v) for k, v in headers if k.lower() != b"content-disposition"]
    return [*kept, (b"content-disposition", b"attachment")]


class SecurityHeadersMiddleware:
    """Adds the headers to every response (the policy to documents and media); routes cannot
    weaken them."""

    def __init__(
        self, app: ASGIApp, media_sources: Iterable[str] = (), form_targets: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.media_sources = tuple(media_sources)
        self.form_targets = tuple(form_targets)

    def _policy(self, path: str, nonce: str, content_type: bytes) -> str | None:
        if path.startswith("/media/"):
            return MEDIA_POLICY
        if not content_type.startswith(b"text/html"):
            return None  # JSON, CSS, scripts, images: nothing in them is a document to police
        if path.startswith(DOCS_PATHS):
            return DOCS_POLICY
        return page_policy(nonce, self.media_sources, self.form_targets)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        path: str = scope["path"]
        added = list(COMMON_HEADERS)
        if scope.get("scheme") == "https":
            added.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                extra = list(added)
                policy = self._policy(path, nonce, content_type.lower())
                if policy is not None:
                    extra.append((b"content-security-policy", policy.encode()))
                if path.startswith("/media/"):
                    headers = safe_disposition(headers)
                names = {name for name, _ in extra}
                kept = [(k, v) for k, v in headers if k.lower() not in names]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
