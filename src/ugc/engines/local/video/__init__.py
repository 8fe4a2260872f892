"""Video stage: the same layers moved apart by a camera, the product lifted, an end card."""

from ugc.engines.local.video.engine import LocalVideoEngine

__all__ = ["LocalVideoEngine"]
