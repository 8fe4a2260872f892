"""HMAC signatures for media URLs served by the app itself."""

from __future__ import annotations

import hashlib
import hmac
import time


class _MediaSigner:
    """Signs (key, expiry, download name) so a URL cannot be altered or reused late."""

    # Round expiries up to a bucket so repeated calls give the same URL and browsers
    # can cache the media across page loads.
    BUCKET_SECONDS = 600

    def expiry(self, expires_in: int) -> int:
        """An expiry timestamp at least `expires_in` seconds from now."""
        target = int(time.time()) + expires_in
        return target + (-target % self.BUCKET_SECONDS)

    def __call__(self, secret: str, key: str, expires: int, download_name: str | None) -> str:
        message = f"{key}\n{expires}\n{download_name or ''}".encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]

    def verify(
        self, secret: str, key: str, expires: int, download_name: str | None, signature: str
    ) -> bool:
        """True when the signature matches and the URL has not expired."""
        if expires < time.time():
            return False
        return hmac.compare_digest(signature, self(secret, key, expires, download_name))


sign_media = _MediaSigner()
