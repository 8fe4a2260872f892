"""Image stage: frame the person, stage and light the product, caption, keep the layers."""

from ugc.engines.local.image.engine import LocalImageEngine

__all__ = ["LocalImageEngine"]
