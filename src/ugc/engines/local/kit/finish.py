"""The phone-camera finish: a gentle tone curve, warmth, vignette and fine grain."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray


@lru_cache(maxsize=1)
def _grade_lut() -> NDArray[np.uint8]:
    # A soft S-curve with lifted blacks and slightly warm whites: the look of a phone's
    # default processing rather than a flat scan.
    x = np.arange(256, dtype=np.float32) / 255
    s_curve = x - 0.12 * np.sin(2 * np.pi * x) / (2 * np.pi)
    curve = 0.025 + 0.965 * s_curve
    red = np.clip(curve * 1.015 + 0.004, 0, 1)
    blue = np.clip(curve * 0.975, 0, 1)
    channels = [red, curve, blue]
    return (
        np.stack([np.round(c * 255) for c in channels], axis=1).reshape(256, 1, 3).astype(np.uint8)
    )


def grade(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Apply the tone curve and warmth (pure per-pixel, so layers can be graded apart)."""
    return np.asarray(cv2.LUT(rgb, _grade_lut()), dtype=np.uint8)


@lru_cache(maxsize=4)
def _vignette(width: int, height: int) -> NDArray[np.uint8]:
    # Stored as gain * 255 in uint8: an all-uint8 multiply is several times faster than a
    # float one (and a quarter of the cache), and rounding the gain moves no pixel by more
    # than one level.
    xs = np.linspace(-1, 1, width, dtype=np.float32)
    ys = np.linspace(-1, 1, height, dtype=np.float32)
    radius = np.sqrt(xs[None, :] ** 2 + ys[:, None] ** 2) / np.sqrt(2)
    gain = 1 - 0.16 * np.clip((radius - 0.45) / 0.55, 0, 1) ** 2
    gain_u8 = np.round(gain * 255).astype(np.uint8)
    return np.repeat(gain_u8[:, :, None], 3, axis=2)


def vignette(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Darken the corners a little, as small phone lenses do."""
    gain = _vignette(rgb.shape[1], rgb.shape[0])
    return np.asarray(cv2.multiply(rgb, gain, scale=1 / 255), dtype=np.uint8)


@lru_cache(maxsize=4)
def _grain(width: int, height: int) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    # A fixed seed: the same inputs must give the same image, byte for byte.
    rng = np.random.default_rng(20240611)
    noise = rng.normal(0.0, 2.2, size=(height // 2 + 1, width // 2 + 1)).astype(np.float32)
    # Grain a little coarser than a pixel, like sensor noise after demosaicing.
    upscaled = np.round(cv2.resize(noise, (width, height), interpolation=cv2.INTER_LINEAR))
    # Split into lighten and darken parts so adding it is two saturating uint8 operations;
    # split while still one channel, so no full-size float RGB copy is ever made.
    lighten = np.clip(upscaled, 0, 255).astype(np.uint8)
    darken = np.clip(-upscaled, 0, 255).astype(np.uint8)
    return (np.repeat(lighten[:, :, None], 3, axis=2), np.repeat(darken[:, :, None], 3, axis=2))


def add_grain(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Add fine monochrome grain so the composite reads as one photo."""
    lighten, darken = _grain(rgb.shape[1], rgb.shape[0])
    return np.asarray(cv2.subtract(cv2.add(rgb, lighten), darken), dtype=np.uint8)
