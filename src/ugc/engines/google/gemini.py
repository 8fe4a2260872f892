"""Gemini image engine: composes the ad image from the person and product photos."""

from __future__ import annotations

import asyncio
import logging

from google.genai import types

from ugc.config import Settings
from ugc.engines.base import (
    IMAGE_SIZES,
    AspectRatio,
    EngineRejected,
    GeneratedImage,
    ImageRequest,
    ProgressFn,
)
from ugc.engines.google.pictures import cover_png, image_mime
from ugc.engines.google.prompts import image_prompt
from ugc.engines.google.sdk import ClientPerLoop, guarded, require_api_key

logger = logging.getLogger(__name__)

SERVICE = "image service"
DECLINED = "The image service declined this request: "

MODEL_SETTING = "UGC_GEMINI_IMAGE_MODEL"
# The product offers these aspect ratios; Gemini renders each of them natively.
GEMINI_ASPECT: dict[AspectRatio, str] = {"9:16": "9:16", "16:9": "16:9", "1:1": "1:1"}

# Why an answer held no image, phrased for the person who made the request.
_REASONS = {
    "SAFETY": "the photos or the prompt were flagged by its safety filter",
    "IMAGE_SAFETY": "the image it made was flagged by its safety filter",
    "PROHIBITED_CONTENT": "the request touches content the service does not allow",
    "IMAGE_PROHIBITED_CONTENT": "the image would show content the service does not allow",
    "BLOCKLIST": "the prompt contains words the service does not accept",
    "RECITATION": "the result was too close to existing protected material",
    "IMAGE_RECITATION": "the result was too close to existing protected images",
    "SPII": "the request contains sensitive personal information",
    "NO_IMAGE": "it did not produce an image this time",
    "IMAGE_OTHER": "it could not make an image for these photos",
}
_HINT = " Try different photos or a different prompt."


def build_prompt(req: ImageRequest) -> str:
    """The labelled instruction text sent after the two photos."""
    return image_prompt(req.product_name, req.product_description, req.prompt, req.emphasis)


def _reason_text(reason: object) -> str:
    code = str(getattr(reason, "value", reason) or "").upper()
    return _REASONS.get(code, f"it stopped without an image ({code or 'no reason given'})")


def extract_image(response: types.GenerateContentResponse) -> bytes:
    """The last image part of a Gemini answer, or EngineRejected saying why there is none."""
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise EngineRejected(DECLINED + _reason_text(feedback.block_reason) + "." + _HINT)
    candidate = response.candidates[0] if response.candidates else None
    if candidate is None:
        raise EngineRejected(DECLINED + "it returned no result." + _HINT)
    parts = candidate.content.parts if candidate.content and candidate.content.parts else []
    images = [
        part.inline_data.data
        for part in parts
        if part.inline_data is not None
        and part.inline_data.data
        and (part.inline_data.mime_type or "image/").startswith("image/")
    ]
    if images:
        return images[-1]
    reason = candidate.finish_reason
    if reason is not None and str(getattr(reason, "value", reason)) not in ("STOP", ""):
        raise EngineRejected(DECLINED + _reason_text(reason) + "." + _HINT)
    text = " ".join(part.text.strip() for part in parts if part.text).strip()
    said = f' It answered with text only: "{text[:200]}".' if text else ""
    raise EngineRejected(DECLINED + "it did not return an image." + said + _HINT)


class GeminiImageEngine:
    """ImageEngine over the Gemini API (UGC_IMAGE_ENGINE=gemini)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        api_key = require_api_key(settings, "UGC_IMAGE_ENGINE=gemini")
        self._clients = ClientPerLoop(settings, api_key)

    async def compose(self, req: ImageRequest, progress: ProgressFn) -> GeneratedImage:
        """Ask Gemini for the ad image and return it as PNG at the requested aspect ratio."""
        log = {"project_id": req.project_id, "job_id": req.job_id}
        progress("composing image", 0.05)
        contents: list[types.PartUnion] = [
            types.Part.from_bytes(data=req.person, mime_type=image_mime(req.person)),
            types.Part.from_bytes(data=req.product, mime_type=image_mime(req.product)),
            types.Part.from_text(text=build_prompt(req)),
        ]
        config = types.GenerateContentConfig(
            response_modalities=["IMAGE"],
            image_config=types.ImageConfig(
                aspect_ratio=GEMINI_ASPECT[req.aspect_ratio],
                image_size=self._settings.gemini_image_size,
            ),
        )
        model = self._settings.gemini_image_model
        logger.info(
            "gemini image requested", extra={**log, "model": model, "emphasis": req.emphasis}
        )
        client = self._clients.aio
        response = await guarded(
            SERVICE,
            client.models.generate_content(model=model, contents=contents, config=config),
            MODEL_SETTING,
        )
        try:
            raw = extract_image(response)
        except EngineRejected as exc:
            logger.warning("gemini gave no image: %s", exc.message, extra=log)
            raise
        progress("finishing image", 0.9)
        png, pixels = await asyncio.to_thread(cover_png, raw, IMAGE_SIZES[req.aspect_ratio])
        progress("image ready", 1.0)
        logger.info("gemini image done", extra={**log, "bytes": len(png)})
        return GeneratedImage(png=png, pixels=pixels)
