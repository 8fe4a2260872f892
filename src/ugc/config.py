"""Typed settings read from UGC_* environment variables and .env; cached, no I/O at import."""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError


class SettingsError(Exception):
    """A UGC_* variable holds a bad value; the message names the variable."""


class CreditPack(BaseModel):
    """A pack of credits sold through Stripe Checkout; the price is in minor units (cents)."""

    model_config = {"frozen": True}

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1, max_length=60)
    credits: int = Field(gt=0)
    price: int = Field(gt=0)
    currency: str = Field(default="usd", pattern=r"^[a-z]{3}$")
    featured: bool = False


DEFAULT_PACKS = (
    CreditPack(id="starter", name="Starter", credits=25, price=1000),
    CreditPack(id="creator", name="Creator", credits=80, price=2900, featured=True),
    CreditPack(id="studio", name="Studio", credits=300, price=9900),
)


class Settings(BaseSettings):
    """Every configurable value of the service, by its UGC_ name."""

    model_config = SettingsConfigDict(
        env_prefix="UGC_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = "sqlite+aiosqlite:///./var/ugc.db"
    storage_url: str = "file://./var/media"
    queue_url: str = "inprocess"
    queue_namespace: str = "ugc"
    data_dir: Path = Path("./var")
    # The offline engine's vision models (installed by `make models`); default: in the venv.
    models_dir: Path | None = None

    image_engine: Literal["local", "gemini"] = "local"
    video_engine: Literal["local", "omni"] = "local"
    gemini_api_key: SecretStr | None = None
    gemini_base_url: str | None = None
    # Also current: gemini-3.1-flash-image (cheaper), gemini-nano-banana-2.1.
    gemini_image_model: str = "gemini-3-pro-image"
    gemini_image_size: Literal["1K", "2K", "4K"] = "1K"
    gemini_timeout_seconds: float = Field(default=120, gt=0)
    omni_model: str = "gemini-omni-1.1-flash"
    omni_seconds: int = Field(default=8, ge=3, le=10)
    omni_resolution: Literal["360p", "720p", "1080p", "4k"] = "720p"
    omni_delivery: Literal["uri", "inline"] = "uri"
    omni_poll_seconds: float = Field(default=10, gt=0)
    omni_timeout_seconds: float = Field(default=600, gt=0)
    # Google's webhooks finish a video as soon as it is ready: set to the `whsec_` secret of
    # the webhook registered for {UGC_PUBLIC_URL}/api/webhooks/google (UGC_PUBLIC_URL must be
    # https). Status checks then slow to the fallback below, for a delivery that never comes.
    gemini_webhook_secret: SecretStr | None = None
    omni_webhook_poll_seconds: float = Field(default=60, gt=0)
    # How often a waiting video looks for a webhook that reached another process.
    notice_check_seconds: float = Field(default=1, gt=0)
    # Generative images whose product came out changed are made again, up to this many times.
    fidelity_retries: int = Field(default=2, ge=0, le=5)
    video_fidelity_retries: int = Field(default=0, ge=0, le=3)
    # A small visible "AI-generated" mark on every image and video (ad platforms ask for it).
    ai_mark: bool = False

    secret_key: SecretStr | None = None
    signup_credits: int = Field(default=20, ge=0)
    image_cost: int = Field(default=5, ge=0)
    video_cost: int = Field(default=10, ge=0)
    max_upload_mb: float = Field(default=5, gt=0)
    # Create requests decoding their photos at once, per process and per user.
    upload_decode_slots: int = Field(default=2, ge=1)
    upload_decodes_per_user: int = Field(default=1, ge=1)

    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    oidc_audience: str | None = None
    # Comma-separated in the environment, not JSON.
    oidc_authorized_parties: Annotated[tuple[str, ...], NoDecode] = ()

    sentry_dsn: SecretStr | None = None
    public_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # `ugc serve` processes sharing the port; each runs its own share of the jobs.
    web_processes: int = Field(default=1, ge=1, le=64)
    # Slow clients: headers must arrive within this many seconds, a body may not pause longer.
    header_timeout_seconds: float = Field(default=10, gt=0)
    body_timeout_seconds: float = Field(default=30, gt=0)
    max_header_kb: int = Field(default=64, ge=4)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False

    retry_base_seconds: float = Field(default=2, ge=0)
    job_max_attempts: int = Field(default=3, ge=1)
    job_lease_seconds: int = Field(default=30, ge=2)
    reconcile_interval_seconds: float = Field(default=30, gt=0)
    # How often expired idempotency keys and old webhook notices are deleted.
    housekeeping_interval_seconds: float = Field(default=3600, gt=0)
    worker_threads: int = Field(default=2, ge=1)
    # Cores one built-in engine job may use, for encoding and OpenCV (0: every core). With
    # several workers on one machine, cores / workers keeps their jobs from contending.
    local_engine_threads: int = Field(default=0, ge=0)
    # Jobs of one user running at once across all workers (fairness: a batch of variants
    # takes turns with other users' ads).
    jobs_per_user: int = Field(default=4, ge=1)
    # `ugc worker` serves Prometheus metrics (jobs by kind and outcome) on this port when set.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    media_url_ttl_seconds: int = Field(default=3600, ge=60)
    session_days: int = Field(default=14, ge=1)
    login_attempts_per_window: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    # login_attempts_per_window counts one account from one address; these two bound one
    # address trying many accounts, and one account tried from everywhere (well above the
    # first, so a stranger cannot lock the owner out).
    login_address_attempts_per_window: int = Field(default=30, ge=1)
    login_account_attempts_per_window: int = Field(default=100, ge=1)
    signup_attempts_per_window: int = Field(default=10, ge=1)
    signup_window_seconds: int = Field(default=3600, ge=1)
    signup_credits_require_verified: bool = False
    # smtp://user:pass@host:587 (STARTTLS), smtps://...:465, console://, file://./var/mail
    mail_url: str = "console://"
    mail_from: str = "UGC Studio <no-reply@localhost>"
    email_verification_hours: int = Field(default=48, ge=1)
    event_stream_recheck_seconds: float = Field(default=5, gt=0)
    event_streams_per_user: int = Field(default=5, ge=1)
    # Comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For/-Proto we believe.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    # Payments are off until the secret key is set. The API base is for tests and proxies.
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = None
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)
    # JSON in the environment: [{"id": "starter", "name": "Starter", "credits": 25, ...}].
    credit_packs: tuple[CreditPack, ...] = DEFAULT_PACKS
    clerk_webhook_secret: SecretStr | None = None

    # Programs' API: Idempotency-Key retention, and completion webhooks.
    idempotency_retention_hours: float = Field(default=24, gt=0)
    # Self-hosting and tests only: let webhooks reach private/loopback addresses, and http://.
    webhook_allow_private: bool = False
    webhook_allow_http: bool = False
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    # Attempt n waits base x 3^(n-1) after a failure: 10 attempts span about a day.
    webhook_retry_base_seconds: float = Field(default=10, ge=0)
    webhook_max_attempts: int = Field(default=10, ge=1, le=20)
    webhook_poll_seconds: float = Field(default=2, gt=0)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("storage_url")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        if not value.startswith(("file://", "s3://", "cloudinary://")):
            raise ValueError("must start with file://, s3:// or cloudinary://")
        return value

    @field_validator("queue_url")
    @classmethod
    def _known_queue(cls, value: str) -> str:
        if value != "inprocess" and not value.startswith(("redis://", "rediss://")):
            raise ValueError("must be 'inprocess' or a redis:// URL")
        return value

    @field_validator("oidc_authorized_parties", mode="before")
    @classmethod
    def _split_parties(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        for item in value if isinstance(value, tuple | list) else ():
            try:
                ipaddress.ip_network(str(item), strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR network") from None
        return value

    @field_validator("mail_url")
    @classmethod
    def _known_mailer(cls, value: str) -> str:
        if not value.startswith(("smtp://", "smtps://", "console://", "file://")):
            raise ValueError("must start with smtp://, smtps://, console:// or file://")
        return value

    @field_validator("credit_packs")
    @classmethod
    def _unique_packs(cls, value: tuple[CreditPack, ...]) -> tuple[CreditPack, ...]:
        ids = [pack.id for pack in value]
        if len(ids) != len(set(ids)):
            raise ValueError("every pack needs its own id")
        return value

    @field_validator("gemini_webhook_secret")
    @classmethod
    def _webhook_secret_form(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        key = value.get_secret_value().strip().removeprefix("whsec_")
        try:
            decoded = base64.b64decode(key, validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if not decoded:
            raise ValueError("must be the whsec_<base64> secret Google returned for the webhook")
        return SecretStr(value.get_secret_value().strip())

    @model_validator(mode="after")
    def _google_engines_need_a_key(self) -> Settings:
        if (self.image_engine == "gemini" or self.video_engine == "omni") and not (
            self.gemini_api_key and self.gemini_api_key.get_secret_value()
        ):
            raise ValueError("gemini_api_key: required when the gemini or omni engine is chosen")
        return self

    @property
    def gemini_webhooks_enabled(self) -> bool:
        """True when Google can reach us (an https public URL) and its webhooks can be checked."""
        public = (self.public_url or "").lower()
        return self.gemini_webhook_secret is not None and public.startswith("https://")

    @property
    def max_upload_bytes(self) -> int:
        """The per-file upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def payments_enabled(self) -> bool:
        """True when Stripe Checkout is configured (a secret key is set)."""
        return bool(self.stripe_secret_key and self.stripe_secret_key.get_secret_value())

    def credit_pack(self, pack_id: str) -> CreditPack | None:
        """The pack with this id, if offered."""
        return next((pack for pack in self.credit_packs if pack.id == pack_id), None)

    def resolved_secret_key(self) -> str:
        """UGC_SECRET_KEY, or a key generated once into the data directory."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_once(path, secrets.token_urlsafe(48))
        return path.read_text().strip()


def _create_once(path: Path, text: str) -> None:
    """Create `path` holding `text`, readable by its owner only, unless it already exists.

    Written aside and then linked into place, so that when several processes start at once
    exactly one text wins and nobody reads a half-written file. Where the filesystem has no
    hard links, an exclusive create comes close (a reader may rarely see it half-written).
    """
    draft = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    except OSError:
        with contextlib.suppress(FileExistsError):
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(text)
    finally:
        draft.unlink()


def _field_and_message(location: tuple[object, ...], message: str) -> tuple[str, str]:
    """The variable a validation error is about; model-level checks name it themselves."""
    if location:
        return str(location[0]), message
    text = message.removeprefix("Value error, ")
    field, _, rest = text.partition(": ")
    return field, rest or text


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation error into one naming the UGC_ variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field, message = _field_and_message(error["loc"], error["msg"])
            problems.append(f"UGC_{field.upper()}: {message}")
        raise SettingsError("Invalid configuration: " + "; ".join(problems)) from None
    except SourceError as exc:  # a value the environment source could not even parse
        field = str(exc).split('"')[1] if '"' in str(exc) else "?"
        raise SettingsError(f"Invalid configuration: UGC_{field.upper()}: {exc}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
