"""What a generation job checks before it keeps a result: product fidelity and provenance.

The one entry point per kind, `produce_image` / `produce_video`, runs the engine, measures
how faithfully the result shows the product (off the event loop), makes a generative engine
try again when the product drifted (keeping the best attempt), and stamps provenance (and
the optional visible mark) on the bytes that will be stored. The job's tasks call only these.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from ugc.config import Settings
from ugc.engines.base import (
    EngineError,
    ImageEngine,
    ImageRequest,
    ProgressFn,
    VideoEngine,
    VideoRequest,
)
from ugc.projects import provenance
from ugc.projects.fidelity import Fidelity, ProductModel, check_image, product_model
from ugc.projects.video_fidelity import VideoFidelity, check_video

log = logging.getLogger(__name__)

PRODUCT_MISSING = (
    "The image service left the product out of the picture (or made it unrecognisable), "
    "even after trying again."
)
# Words in the user's prompt that ask for a clip without speech.
_SILENT = re.compile(
    r"\b(no (dialogue|talking|speech|voice)|silent|without (speech|talking))\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class ProducedImage:
    """The image to store, its scene data, and the project fields that describe it."""

    png: bytes
    scene: bytes | None
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProducedVideo:
    """The video to store and the project fields that describe it."""

    mp4: bytes
    fields: dict[str, Any]


def _source(engine_name: str) -> provenance.SourceKind:
    return "composite" if engine_name == "local" else "generative"


async def produce_image(
    settings: Settings,
    engine: ImageEngine,
    request: ImageRequest,
    progress: ProgressFn,
    *,
    paid: bool,
) -> ProducedImage:
    """Compose, check the product, retry on drift (generative engines), stamp provenance."""
    generative = settings.image_engine != "local"
    tries = 1 + (settings.fidelity_retries if generative else 0)
    ids = {"project_id": request.project_id, "job_id": request.job_id}
    best: tuple[Any, Fidelity] | None = None
    product: ProductModel | None = None  # made once, for the first check
    for attempt in range(tries):
        try:
            result = await engine.compose(dataclasses.replace(request, emphasis=attempt), progress)
        except EngineError:
            if best is None:
                raise
            break  # a retry that fails must not lose the image already paid for
        progress("checking the product", 0.96)
        if product is None:
            product = await asyncio.to_thread(product_model, request.product)
        picture = result.pixels if result.pixels is not None else result.png
        fidelity = await asyncio.to_thread(check_image, product, picture)
        log.info(
            "product fidelity",
            extra={
                **ids,
                "attempt": attempt + 1,
                "score": fidelity.score,
                "verdict": fidelity.verdict,
            },
        )
        if best is None or fidelity.score > best[1].score:
            best = (result, fidelity)
        if fidelity.verdict == "intact":
            break
        if attempt + 1 < tries:
            progress("the product changed: trying again", 0.05)
    assert best is not None
    result, fidelity = best
    if generative and fidelity.verdict == "missing":
        raise _Missing(PRODUCT_MISSING)
    png = await asyncio.to_thread(_finish_png, result.png, settings)
    fields = {
        "fidelity_score": fidelity.score,
        "fidelity_verdict": fidelity.verdict,
        # One free new image, owed only for a paid image whose product came out changed.
        "free_retry": generative and paid and fidelity.verdict == "changed",
        "composition": dict(result.composition) if result.composition else None,
    }
    return ProducedImage(png, result.scene, fields)


class _Missing(EngineError):
    """The product is not in the picture: the job fails and is refunded."""


def _finish_png(png: bytes, settings: Settings) -> bytes:
    if settings.ai_mark:
        png = provenance.mark_png(png)
    return provenance.stamp_png(png, _source(settings.image_engine), settings.image_engine)


def _finish_mp4(mp4: bytes, settings: Settings) -> bytes:
    if settings.ai_mark:
        mp4 = provenance.mark_mp4(mp4)
    return provenance.stamp_mp4(mp4, _source(settings.video_engine), settings.video_engine)


def wants_speech(prompt: str) -> bool:
    """False when the user's direction asks for a clip without dialogue."""
    return _SILENT.search(prompt) is None


async def produce_video(
    settings: Settings,
    engine: VideoEngine,
    request: VideoRequest,
    product: bytes,
    progress: ProgressFn,
) -> ProducedVideo:
    """Animate, check the product in sampled frames (retry only if configured), stamp."""
    generative = settings.video_engine != "local"
    tries = 1 + (settings.video_fidelity_retries if generative else 0)
    request = dataclasses.replace(request, speech=wants_speech(request.prompt))
    best: tuple[Any, VideoFidelity] | None = None
    for attempt in range(tries):
        # A retry is a new paid video: it must not resume the first one's checkpoint.
        changes: dict[str, Any] = (
            {"emphasis": attempt} if attempt == 0 else {"emphasis": attempt, "checkpoint": None}
        )
        try:
            result = await engine.animate(dataclasses.replace(request, **changes), progress)
        except EngineError:
            if best is None:
                raise
            break
        progress("checking the product", 0.97)
        fidelity = await asyncio.to_thread(check_video, product, result.mp4)
        if best is None or fidelity.score > best[1].score:
            best = (result, fidelity)
        if fidelity.verdict == "intact":
            break
    assert best is not None
    result, fidelity = best
    mp4 = await asyncio.to_thread(_finish_mp4, result.mp4, settings)
    frames = [[frame.seconds, frame.score] for frame in fidelity.frames]
    fields = {
        "video_fidelity_score": fidelity.score,
        "video_fidelity_verdict": fidelity.verdict,
        "video_fidelity_frames": json.dumps(frames),
    }
    return ProducedVideo(mp4, fields)
