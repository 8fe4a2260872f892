"""Engine registry: configuration names to engine classes, imported only when chosen."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, cast

from ugc.engines.base import ImageEngine, VideoEngine

if TYPE_CHECKING:
    from ugc.config import Settings

IMAGE_ENGINES = {
    "local": "ugc.engines.local.image:LocalImageEngine",
    "gemini": "ugc.engines.google.gemini:GeminiImageEngine",
}
VIDEO_ENGINES = {
    "local": "ugc.engines.local.video:LocalVideoEngine",
    "omni": "ugc.engines.google.omni:OmniVideoEngine",
}


def _load(dotted: str) -> Any:
    module_name, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def build_image_engine(settings: Settings) -> ImageEngine:
    """A new instance of the image engine named by UGC_IMAGE_ENGINE.

    Engines may hold clients bound to an event loop, so each loop builds its own.
    """
    return cast(ImageEngine, _load(IMAGE_ENGINES[settings.image_engine])(settings))


def build_video_engine(settings: Settings) -> VideoEngine:
    """A new instance of the video engine named by UGC_VIDEO_ENGINE."""
    return cast(VideoEngine, _load(VIDEO_ENGINES[settings.video_engine])(settings))
