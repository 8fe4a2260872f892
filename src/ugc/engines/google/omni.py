"""Omni Flash video engine: animates the ad image through the Interactions API.

One paid create per video: the create runs in the background with the SDK's retries off,
its id is saved with the job at once, and every later step (polling, a retry, another worker
after a crash) works from that id.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from typing import Any

from ugc.config import Settings
from ugc.engines.base import (
    AspectRatio,
    EngineError,
    EngineRejected,
    EngineUnavailable,
    GeneratedVideo,
    ProgressFn,
    VideoRequest,
)
from ugc.engines.google import mp4
from ugc.engines.google.prompts import video_prompt
from ugc.engines.google.saved import SavedInteraction, seconds_text, wait_fraction
from ugc.engines.google.sdk import ClientPerLoop, guarded, require_api_key

logger = logging.getLogger(__name__)

SERVICE = "video service"
MODEL_SETTING = "UGC_OMNI_MODEL"
# Omni renders only these two; 1:1 is cut from the vertical one, which keeps more of a person.
OMNI_ASPECT: dict[AspectRatio, str] = {"9:16": "9:16", "16:9": "16:9", "1:1": "9:16"}
SHORT_SIDE = {"360p": 360, "720p": 720, "1080p": 1080, "4k": 2160}
PENDING = ("queued", "in_progress")
# Terminal states after which a new interaction is no double payment (nothing was made).
START_ANEW = ("cancelled", "incomplete")
_SAFETY_WORDS = ("SAFETY", "BLOCK", "PROHIBITED", "RAI", "POLICY", "RESPONSIBLE")
_TRANSIENT_CODES = ("INTERNAL", "UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED")


def frame_size(aspect: AspectRatio, resolution: str) -> tuple[int, int]:
    """The delivered video's width and height for a project's aspect ratio."""
    short = SHORT_SIDE[resolution]
    long = short * 16 // 9
    return {"9:16": (short, long), "16:9": (long, short), "1:1": (short, short)}[aspect]


def _errors(interaction: Any) -> tuple[str, str]:
    """(code, message) of a failed interaction's first error, from `errors` or a step."""
    found: list[Any] = list(getattr(interaction, "errors", None) or [])
    for step in getattr(interaction, "steps", None) or []:
        error = getattr(step, "error", None)
        if error:
            found.append(error)
    for error in found:
        code = error.get("code") if isinstance(error, dict) else getattr(error, "code", None)
        text = error.get("message") if isinstance(error, dict) else getattr(error, "message", "")
        return str(code or ""), str(text or "").strip().rstrip(".")
    return "", ""


def _is_safety(code: str, message: str) -> bool:
    return any(word in f"{code} {message}".upper() for word in _SAFETY_WORDS)


def terminal_failure(interaction: Any) -> EngineError:
    """The engine error for an interaction that ended without a video."""
    status = str(interaction.status)
    code, message = _errors(interaction)
    if status == "failed":
        if _is_safety(code, message):
            because = message or "its safety filter blocked this video"
            return EngineRejected(f"The video service declined this request: {because}.")
        if code.upper() in _TRANSIENT_CODES:
            return EngineUnavailable(f"The video service failed temporarily: {message or code}.")
        return EngineRejected(f"The video service failed: {message or 'no reason given'}.")
    if status == "budget_exceeded":
        return EngineRejected(
            "The video service stopped: the Google project's spending limit was reached. "
            "The server's operator must raise it in Google AI Studio."
        )
    if status in START_ANEW:
        return EngineUnavailable(f"The video service stopped before finishing ({status}).")
    return EngineRejected(f"The video service stopped waiting for input ({status}).")


def _needs_new_interaction(interaction: Any) -> bool:
    """True when a saved interaction cannot give a video and a new one costs nothing twice."""
    status = str(interaction.status)
    if status == "completed":
        return getattr(interaction, "output_video", None) is None
    if status in START_ANEW:
        return True
    return status == "failed" and isinstance(terminal_failure(interaction), EngineUnavailable)


class OmniVideoEngine:
    """VideoEngine over Gemini Omni Flash (UGC_VIDEO_ENGINE=omni)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        # Interaction calls made through a short-lived client fail once it is closed.
        self._clients = ClientPerLoop(settings, require_api_key(settings, "UGC_VIDEO_ENGINE=omni"))

    @property
    def _aio(self) -> Any:
        return self._clients.aio

    async def animate(self, req: VideoRequest, progress: ProgressFn) -> GeneratedVideo:
        """Run (or resume) an interaction and return its video, checked and normalised."""
        log = {"project_id": req.project_id, "job_id": req.job_id}
        progress("starting video", 0.02)
        saved = SavedInteraction.loads(req.checkpoint) if req.checkpoint else None
        interaction = await self._resume(saved, log) if saved else None
        if interaction is None or saved is None:
            interaction, saved = await self._start(req, log)
        interaction = await self._wait(interaction, saved, req, progress, log)
        progress("downloading video", 0.92)
        data = await self._video_bytes(interaction)
        progress("checking video", 0.95)
        width, height = frame_size(req.aspect_ratio, self._settings.omni_resolution)
        try:
            mp4_bytes = await asyncio.to_thread(mp4.normalise, data, width, height)
        except mp4.InvalidVideo as exc:
            # The interaction is done and saved: a retry fetches it again without paying.
            logger.warning("omni video unreadable: %s", exc, extra=log)
            raise EngineUnavailable(
                "The video service returned a file that does not play."
            ) from exc
        progress("video ready", 1.0)
        logger.info("omni video done", extra={**log, "bytes": len(mp4_bytes)})
        return GeneratedVideo(mp4=mp4_bytes)

    async def _start(self, req: VideoRequest, log: dict[str, str]) -> tuple[Any, SavedInteraction]:
        settings = self._settings
        image = base64.b64encode(req.image).decode("ascii")
        prompt = video_prompt(
            req.product_name,
            req.product_description,
            req.prompt,
            speech=req.speech,
            emphasis=req.emphasis,
        )
        started_at = time.time()
        # Transient failures raise before any id exists: the job system backs off and asks
        # again (honouring RetryInfo); nothing was created, so nothing is paid twice.
        interaction = await guarded(
            SERVICE,
            self._aio.interactions.create(
                model=settings.omni_model,
                background=True,
                input=[
                    {"type": "image", "data": image, "mime_type": "image/png"},
                    {"type": "text", "text": prompt},
                ],
                generation_config={"video_config": {"task": "image_to_video"}},
                response_format={
                    "type": "video",
                    "aspect_ratio": OMNI_ASPECT[req.aspect_ratio],
                    "resolution": settings.omni_resolution,
                    "duration": f"{settings.omni_seconds}s",
                    "delivery": settings.omni_delivery,
                },
            ),
            MODEL_SETTING,
        )
        saved = SavedInteraction(str(interaction.id), started_at)
        logger.info(
            "omni interaction started",
            extra={**log, "interaction": saved.id, "model": settings.omni_model},
        )
        if req.save_checkpoint is not None:
            try:
                await req.save_checkpoint(saved.dumps(), saved.id)
            except Exception:
                # The video is already paid for: finishing it beats failing and paying twice.
                logger.exception("could not save the omni checkpoint", extra=log)
        return interaction, saved

    async def _resume(self, saved: SavedInteraction, log: dict[str, str]) -> Any | None:
        """The saved interaction, or None when it is gone or cannot give a video."""
        try:
            interaction = await guarded(SERVICE, self._aio.interactions.get(saved.id))
        except EngineRejected as exc:
            if getattr(exc.__cause__, "status_code", None) != 404:
                raise
            # Stored interactions expire: nothing is running, so a new one is no double.
            logger.warning("omni interaction %s is gone; starting anew", saved.id, extra=log)
            return None
        if _needs_new_interaction(interaction):
            logger.warning(
                "omni interaction %s ended %s without a video; starting anew",
                saved.id,
                interaction.status,
                extra=log,
            )
            return None
        logger.info("omni interaction resumed", extra={**log, "interaction": saved.id})
        return interaction

    async def _wait(
        self,
        interaction: Any,
        saved: SavedInteraction,
        req: VideoRequest,
        progress: ProgressFn,
        log: dict[str, str],
    ) -> Any:
        limit = self._settings.omni_timeout_seconds
        interval = self._poll_interval(req)
        while str(interaction.status) in PENDING:
            # Never negative, should this worker's clock run behind the one that started it.
            elapsed = max(0.0, time.time() - saved.started_at)
            if elapsed >= limit:
                await self._abandon(saved, log)
                raise EngineRejected(
                    f"The video service did not finish within {seconds_text(limit)}."
                )
            await self._pause(req, saved, min(interval, limit - elapsed), log)
            progress("rendering video", wait_fraction(max(0.0, time.time() - saved.started_at)))
            try:
                interaction = await guarded(SERVICE, self._aio.interactions.get(saved.id))
            except EngineUnavailable as exc:
                # One failed status check must not abandon a paid video: keep polling.
                logger.warning("omni poll failed: %s", exc.message, extra=log)
        if str(interaction.status) != "completed":
            failure = terminal_failure(interaction)
            logger.warning(
                "omni interaction ended %s: %s", interaction.status, failure.message, extra=log
            )
            raise failure
        return interaction

    def _poll_interval(self, req: VideoRequest) -> float:
        """Seconds between status checks: slow when Google's webhook will tell us first."""
        if req.wait_for_notice is not None and self._settings.gemini_webhooks_enabled:
            return self._settings.omni_webhook_poll_seconds
        return self._settings.omni_poll_seconds

    async def _pause(
        self, req: VideoRequest, saved: SavedInteraction, seconds: float, log: dict[str, str]
    ) -> None:
        """Wait until the next status check is due, or until Google's webhook says it ended."""
        if req.wait_for_notice is None or not self._settings.gemini_webhooks_enabled:
            await asyncio.sleep(seconds)
            return
        if await req.wait_for_notice(saved.id, seconds):
            logger.info("omni webhook received", extra={**log, "interaction": saved.id})

    async def _abandon(self, saved: SavedInteraction, log: dict[str, str]) -> None:
        """Cancel an interaction we give up on, so it stops rendering (best effort)."""
        try:
            await guarded(SERVICE, self._aio.interactions.cancel(saved.id))
            logger.info("omni interaction cancelled", extra={**log, "interaction": saved.id})
        except EngineError as exc:
            logger.warning("could not cancel omni interaction: %s", exc.message, extra=log)

    async def _video_bytes(self, interaction: Any) -> bytes:
        """The finished video, inline or downloaded from its URI."""
        video = getattr(interaction, "output_video", None)
        data = getattr(video, "data", None)
        if data:
            try:
                return base64.b64decode(data) if isinstance(data, str) else bytes(data)
            except (binascii.Error, ValueError) as exc:
                raise EngineUnavailable("The video service returned a garbled video.") from exc
        uri = getattr(video, "uri", None)
        if not uri:
            raise EngineUnavailable("The video service finished without returning a video.")
        downloaded: bytes = await guarded(SERVICE, self._aio.files.download(file=uri))
        return downloaded
