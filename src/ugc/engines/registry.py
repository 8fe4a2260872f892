"""Engine registry: configuration names to engine classes, imported only when chosen."""

from __future__ import annotations

import importlib
from functools import lru_cache
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
    "veo": "ugc.engines.google.veo:VeoVideoEngine",
}


def _load(dotted: str) -> Any:
    module_name, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attr)


@lru_cache(maxsize=8)
def _image_engine(name: str, settings: Settings) -> ImageEngine:
    return cast(ImageEngine, _load(IMAGE_ENGINES[name])(settings))


@lru_cache(maxsize=8)
def _video_engine(name: str, settings: Settings) -> VideoEngine:
    return cast(VideoEngine, _load(VIDEO_ENGINES[name])(settings))


def get_image_engine(settings: Settings) -> ImageEngine:
    """The image engine named by UGC_IMAGE_ENGINE, built once per settings object."""
    return _image_engine(settings.image_engine, settings)


def get_video_engine(settings: Settings) -> VideoEngine:
    """The video engine named by UGC_VIDEO_ENGINE, built once per settings object."""
    return _video_engine(settings.video_engine, settings)
