"""Veo video engine: animates the ad image into a short UGC-style clip."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass

from google.genai import client as genai_client
from google.genai import errors, types

from ugc.config import Settings
from ugc.engines.base import (
    VIDEO_SIZES,
    AspectRatio,
    EngineError,
    EngineRejected,
    EngineUnavailable,
    GeneratedVideo,
    ProgressFn,
    VideoRequest,
)
from ugc.engines.google import mp4
from ugc.engines.google.sdk import guarded, open_client, require_api_key

logger = logging.getLogger(__name__)

SERVICE = "video service"
# Veo renders only these two; 1:1 is cut from the vertical one, which keeps more of a person.
VEO_ASPECT: dict[AspectRatio, str] = {"9:16": "9:16", "16:9": "16:9", "1:1": "9:16"}
TYPICAL_SECONDS = 90.0  # shapes the progress curve while Veo gives no progress of its own

Operation = types.GenerateVideosOperation


def build_prompt(req: VideoRequest) -> str:
    """The Veo prompt: showcase the product in a natural user-generated-content style."""
    product = req.product_name.strip()
    if req.product_description.strip():
        product += f": {req.product_description.strip()}"
    lines = [
        f"The person in this image showcases the product {product}.",
        "Natural user-generated-content style, like a handheld smartphone review: the person "
        "holds the product toward the camera, turns it slightly to show it, and reacts "
        "genuinely. Gentle, realistic camera motion.",
        "Keep the product's label, colours and shape exactly as in the image, and keep the "
        "person's face and identity unchanged. No on-screen text or captions.",
    ]
    if req.prompt.strip():
        lines.append(f"Additional direction from the user: {req.prompt.strip()}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class SavedOperation:
    """What a job keeps of its Veo operation: the name, and when it started (wall clock).

    The start time travels with the job so that UGC_VEO_TIMEOUT_SECONDS bounds the whole
    video, across retries and worker restarts, not each attempt.
    """

    name: str
    started_at: float

    def dumps(self) -> str:
        """The checkpoint text stored with the job."""
        return json.dumps({"operation": self.name, "startedAt": self.started_at})

    @classmethod
    def loads(cls, text: str) -> SavedOperation:
        """Read a checkpoint; a bare operation name (no start time kept) counts from now."""
        try:
            data = json.loads(text)
            name, started_at = str(data["operation"]), float(data["startedAt"])
        except (ValueError, KeyError, TypeError):
            return cls(text, time.time())
        # A damaged start time (NaN, infinity) must not lift the limit: count from now.
        return cls(name, started_at if math.isfinite(started_at) else time.time())


def seconds_text(seconds: float) -> str:
    """A duration as a person writes it: "1 second", "600 seconds", "0.5 seconds"."""
    number = f"{seconds:g}"
    return f"{number} second" if number == "1" else f"{number} seconds"


def wait_fraction(elapsed: float) -> float:
    """Progress while waiting: rises quickly, then slows, never reaching the end."""
    return 0.05 + 0.85 * (1 - math.exp(-elapsed / TYPICAL_SECONDS))


class VeoVideoEngine:
    """VideoEngine over Veo (UGC_VIDEO_ENGINE=veo)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._api_key = require_api_key(settings, "UGC_VIDEO_ENGINE=veo")

    async def animate(self, req: VideoRequest, progress: ProgressFn) -> GeneratedVideo:
        """Run (or resume) a Veo operation and return its video, checked and normalised."""
        log = {"project_id": req.project_id, "job_id": req.job_id}
        progress("starting video", 0.02)
        async with open_client(self._settings, self._api_key) as client:
            op, started_at = None, time.time()
            if req.checkpoint:
                saved = SavedOperation.loads(req.checkpoint)
                op, started_at = await self._resume(client, saved.name, log), saved.started_at
            if op is None:
                started_at = time.time()
                op = await self._start(client, req, started_at, log)
            op = await self._wait(client, op, started_at, progress, log)
            video = first_video(op)
            progress("downloading video", 0.92)
            data = await guarded(SERVICE, client.files.download(file=video))
        progress("checking video", 0.95)
        width, height = VIDEO_SIZES[req.aspect_ratio]
        try:
            mp4_bytes = await asyncio.to_thread(mp4.normalise, data, width, height)
        except mp4.InvalidVideo as exc:
            # The operation is done and saved: a retry re-downloads it without paying again.
            logger.warning("veo video unreadable: %s", exc, extra=log)
            raise EngineUnavailable(
                "The video service returned a file that does not play."
            ) from exc
        progress("video ready", 1.0)
        logger.info("veo video done", extra={**log, "bytes": len(mp4_bytes)})
        return GeneratedVideo(mp4=mp4_bytes)

    async def _start(
        self,
        client: genai_client.AsyncClient,
        req: VideoRequest,
        started_at: float,
        log: dict[str, str],
    ) -> Operation:
        config = types.GenerateVideosConfig(
            aspect_ratio=VEO_ASPECT[req.aspect_ratio],
            resolution="720p",
            duration_seconds=self._settings.veo_seconds,
            number_of_videos=1,
            person_generation="allow_adult",
        )
        source = types.GenerateVideosSource(
            prompt=build_prompt(req),
            image=types.Image(image_bytes=req.image, mime_type="image/png"),
        )
        model = self._settings.veo_model
        op = await guarded(
            SERVICE, client.models.generate_videos(model=model, source=source, config=config)
        )
        logger.info("veo operation started", extra={**log, "operation": op.name, "model": model})
        if req.save_checkpoint is not None and op.name:
            try:
                await req.save_checkpoint(SavedOperation(op.name, started_at).dumps())
            except Exception:
                # The operation is already paid for: finishing it beats failing and paying twice.
                logger.exception("could not save the veo checkpoint", extra=log)
        return op

    async def _resume(
        self, client: genai_client.AsyncClient, name: str, log: dict[str, str]
    ) -> Operation | None:
        """The saved operation, or None when it is gone or ended in an error."""
        try:
            op = await guarded(
                SERVICE, client.operations.get(Operation.model_validate({"name": name}))
            )
        except EngineRejected as exc:
            if not (isinstance(exc.__cause__, errors.APIError) and exc.__cause__.code == 404):
                raise
            # Operations expire after a while; nothing is running, so a new one is no double.
            logger.warning("veo operation %s is gone; starting anew", name, extra=log)
            return None
        if op.done and (op.error or not _has_video(op)) and not _was_filtered(op):
            # A failed or empty operation is not billed; filtered ones never get retried.
            logger.warning("veo operation %s ended without a video; starting anew", name, extra=log)
            return None
        logger.info("veo operation resumed", extra={**log, "operation": name})
        return op

    async def _wait(
        self,
        client: genai_client.AsyncClient,
        op: Operation,
        started_at: float,
        progress: ProgressFn,
        log: dict[str, str],
    ) -> Operation:
        poll, limit = self._settings.veo_poll_seconds, self._settings.veo_timeout_seconds
        while not op.done:
            # Never negative, should this worker's clock run behind the one that started it.
            elapsed = max(0.0, time.time() - started_at)
            if elapsed >= limit:
                logger.warning("veo operation timed out", extra={**log, "operation": op.name})
                # The time since the operation started counts, earlier attempts included:
                # the budget is spent, so a retry would only wait on without a limit.
                raise EngineRejected(
                    f"The video service did not finish within {seconds_text(limit)}."
                )
            await asyncio.sleep(min(poll, limit - elapsed))
            progress("rendering video", wait_fraction(max(0.0, time.time() - started_at)))
            try:
                op = await guarded(SERVICE, client.operations.get(op))
            except EngineUnavailable as exc:
                # One failed status check must not abandon a paid operation: keep polling.
                logger.warning("veo poll failed: %s", exc.message, extra=log)
        return op


# google.rpc codes of an operation error that a later attempt may not hit again.
_TRANSIENT_CODES = {4, 8, 10, 13, 14}  # DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, ...
_INPUT_CODES = {3, 7, 9}  # INVALID_ARGUMENT, PERMISSION_DENIED, FAILED_PRECONDITION


def operation_failure(error: dict[str, object]) -> EngineError:
    """The engine error for a finished operation's `error` (a google.rpc.Status)."""
    message = str(error.get("message") or "no reason given").strip().rstrip(".")
    code = error.get("code")
    if code in _TRANSIENT_CODES:
        return EngineUnavailable(f"The video service failed temporarily: {message}.")
    if code in _INPUT_CODES:
        return EngineRejected(f"The video service declined this request: {message}.")
    # Not retried: the job fails at once with this message and the credits are refunded.
    return EngineRejected(f"The video service failed: {message}.")


def _has_video(op: Operation) -> bool:
    response = op.response or op.result
    return bool(response and any(v.video for v in response.generated_videos or []))


def _was_filtered(op: Operation) -> bool:
    response = op.response or op.result
    return bool(
        response and (response.rai_media_filtered_reasons or response.rai_media_filtered_count)
    )


def first_video(op: Operation) -> types.Video:
    """The first generated video of a finished operation, or the error explaining its absence."""
    if op.error:
        raise operation_failure(op.error)
    response = op.response or op.result
    videos = [v.video for v in (response.generated_videos or []) if v.video] if response else []
    if videos:
        return videos[0]
    reasons = [r.strip() for r in (response.rai_media_filtered_reasons or [])] if response else []
    if reasons or (response and response.rai_media_filtered_count):
        because = " ".join(r if r.endswith(".") else r + "." for r in reasons if r)
        raise EngineRejected(
            "The video service declined this request: "
            + (because or "its safety filter removed the video.")
        )
    # Odd but seen in practice; a retry starts a fresh operation (see _resume).
    raise EngineUnavailable("The video service finished without returning a video.")
