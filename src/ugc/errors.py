"""The UGCError tree: every expected failure carries its HTTP status and a human sentence.

One handler (ugc.app) renders them all as {"error": code, "detail": sentence}.
"""

from __future__ import annotations


class UGCError(Exception):
    """An expected failure with a status code, a machine code and a human sentence."""

    status_code = 400
    code = "bad_request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class InvalidInput(UGCError):
    """The request is well-formed but a value is not acceptable."""

    status_code = 422
    code = "invalid_input"


class BadRequest(UGCError):
    """The request cannot be acted on in the resource's current state."""

    status_code = 400
    code = "bad_request"


class NotAuthenticated(UGCError):
    """No valid session, token or identity came with the request."""

    status_code = 401
    code = "not_authenticated"

    def __init__(self, detail: str = "Sign in to continue.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class InsufficientCredits(UGCError):
    """The user's balance does not cover the cost."""

    status_code = 402
    code = "insufficient_credits"


class Forbidden(UGCError):
    """Authenticated, but not allowed to do this."""

    status_code = 403
    code = "forbidden"


class NotFound(UGCError):
    """No such resource, or not one the caller may see."""

    status_code = 404
    code = "not_found"


class Conflict(UGCError):
    """The resource exists or is busy in a way that prevents the request."""

    status_code = 409
    code = "conflict"


class PayloadTooLarge(UGCError):
    """An uploaded file exceeds the size limit."""

    status_code = 413
    code = "payload_too_large"


class UnsupportedMedia(UGCError):
    """An uploaded file is not an image we can read."""

    status_code = 415
    code = "unsupported_media"


class TooManyRequests(UGCError):
    """Rate limit reached; the Retry-After header says when to try again."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class ProjectBusy(Conflict):
    """The project is generating; the request must wait until it finishes."""

    code = "project_busy"


class VideoExists(Conflict):
    """The project already has its video."""

    code = "video_exists"


class ImageRequired(BadRequest):
    """The request needs the project's finished image, which it does not have yet."""

    code = "image_required"


class EmailTaken(Conflict):
    """An account with this email address already exists."""

    code = "email_taken"


class IdentityConflict(Conflict):
    """An external identity could not be linked to an account."""

    code = "identity_conflict"


class InvalidSignature(UGCError):
    """A webhook's signature is missing, wrong or too old; nothing was done."""

    status_code = 400
    code = "invalid_signature"


class NotConfigured(UGCError):
    """A feature needs settings this server does not have (payments, webhooks)."""

    status_code = 503
    code = "not_configured"


class PaymentProviderError(UGCError):
    """The payment provider refused or could not be reached."""

    status_code = 502
    code = "payment_provider_error"
