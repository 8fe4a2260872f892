"""The engine ports: what every image and video engine takes, returns and raises."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

AspectRatio = Literal["9:16", "16:9", "1:1"]
ASPECT_RATIOS: tuple[AspectRatio, ...] = ("9:16", "16:9", "1:1")

# Reports (stage, fraction in 0..1). Must be cheap and safe to call from any thread:
# the job runner keeps only the latest value and writes it to the project periodically.
ProgressFn = Callable[[str, float], None]


class SaveCheckpointFn(Protocol):
    """Persists an engine-specific resume token (e.g. an Omni interaction's) with the job,
    so a retried job resumes the running operation instead of paying for a second one.
    `operation_id` is the provider's id for it, by which the provider's webhooks name it."""

    async def __call__(self, token: str, operation_id: str | None = None) -> None:
        """Save the token (and the operation id) with the job."""
        ...


# Waits up to the given seconds for the provider's word (a webhook) about the operation with
# this id; True when word came that was not reported before, False when the time ran out.
WaitForNoticeFn = Callable[[str, float], Awaitable[bool]]


class EngineError(Exception):
    """Base of engine failures; the message is shown to the user, so it must read well."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EngineUnavailable(EngineError):
    """A transient failure (rate limit, outage, timeout): the job system retries."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EngineRejected(EngineError):
    """The engine refused this input (safety, policy, unusable photo): never retried."""


@dataclass(frozen=True, slots=True)
class ImageRequest:
    """Everything an image engine needs to compose an ad image."""

    person: bytes  # encoded JPEG/PNG/WEBP, EXIF orientation already applied
    product: bytes  # encoded JPEG/PNG/WEBP (PNG may carry alpha)
    product_name: str
    product_description: str
    prompt: str
    aspect_ratio: AspectRatio
    project_id: str = ""
    job_id: str = ""
    # > 0 on a retry after the product came out changed: generative engines insist harder.
    emphasis: int = 0
    # False: the ad carries no caption (a variant that tests the ad without one).
    caption: bool = True


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """An engine's image: PNG bytes at the requested aspect ratio.

    `scene` is optional opaque data the same engine family can read back when animating
    (the local engine stores its layers there for parallax); other engines ignore it.
    """

    png: bytes
    scene: bytes | None = None
    # The same picture as RGB pixels, when the engine had them at hand: the product check
    # reads these instead of decoding the PNG again (a tenth of a second per ad).
    pixels: NDArray[np.uint8] | None = None
    # How the engine staged the product (the local engine's record, e.g. {"composition":
    # "hand", "hand": "left"}); kept with the project and shown by the API.
    composition: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class VideoRequest:
    """Everything a video engine needs to animate a project's image."""

    image: bytes  # the project's generated image (PNG)
    product_name: str
    product_description: str
    prompt: str
    aspect_ratio: AspectRatio
    scene: bytes | None = None
    checkpoint: str | None = None  # resume token saved by an earlier attempt of this job
    save_checkpoint: SaveCheckpointFn | None = None
    wait_for_notice: WaitForNoticeFn | None = None
    project_id: str = ""
    job_id: str = ""
    emphasis: int = 0  # as ImageRequest.emphasis
    speech: bool = True  # the person may speak (False: no dialogue, ambient sound only)


@dataclass(frozen=True, slots=True)
class GeneratedVideo:
    """An engine's video: an H.264/yuv420p MP4 with +faststart, 720p by aspect ratio."""

    mp4: bytes


class ImageEngine(Protocol):
    """Composes the ad image from a person photo and a product photo."""

    async def compose(self, req: ImageRequest, progress: ProgressFn) -> GeneratedImage:
        """Return the ad image, or raise EngineUnavailable / EngineRejected."""
        ...


class VideoEngine(Protocol):
    """Animates the ad image into a short video."""

    async def animate(self, req: VideoRequest, progress: ProgressFn) -> GeneratedVideo:
        """Return the ad video, or raise EngineUnavailable / EngineRejected."""
        ...


VIDEO_SIZES: dict[AspectRatio, tuple[int, int]] = {
    "9:16": (720, 1280),
    "16:9": (1280, 720),
    "1:1": (720, 720),
}
IMAGE_SIZES: dict[AspectRatio, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
    "1:1": (1080, 1080),
}
