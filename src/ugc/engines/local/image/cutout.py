"""Separating the product from its photo: its own alpha, a plain-background key, or GrabCut."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.base import EngineRejected
from ugc.engines.local.image.card import make_product_card
from ugc.engines.local.kit.arrays import f32, u8

CutKind = Literal["alpha", "keyed", "grabcut", "card"]

# Masks are found on a small copy (fast, and noise-free), then refined at full size.
_WORK_SIDE = 360
# GrabCut is the slow path (cluttered backgrounds); it runs smaller, and its result is
# only trusted when it is one smooth, solid shape.
_GRABCUT_SIDE = 180
# A background is "plain" when 90% of the border ring lies within this Lab distance of its
# median colour: a studio sweep, a table top in soft light, a white packshot.
_PLAIN_SPREAD = 16.0


@dataclass(frozen=True, slots=True)
class ProductLayer:
    """The product ready to place: straight RGBA cropped to its content, and how it was cut."""

    rgba: NDArray[np.uint8]
    kind: CutKind


def _alpha_layer(rgba: NDArray[np.uint8]) -> ProductLayer | None:
    alpha = rgba[:, :, 3]
    if np.count_nonzero(alpha < 250) < 0.01 * alpha.size:
        return None  # an opaque PNG: its alpha says nothing about the product's shape
    if np.count_nonzero(alpha > 16) < 0.005 * alpha.size:
        raise EngineRejected("The product photo is almost entirely transparent.")
    return ProductLayer(_crop_to_alpha(rgba), "alpha")


def _crop_to_alpha(rgba: NDArray[np.uint8], pad_frac: float = 0.02) -> NDArray[np.uint8]:
    ys, xs = np.nonzero(rgba[:, :, 3] > 8)
    pad = round(pad_frac * max(rgba.shape[:2]))
    y0, y1 = max(0, ys.min() - pad), min(rgba.shape[0], ys.max() + 1 + pad)
    x0, x1 = max(0, xs.min() - pad), min(rgba.shape[1], xs.max() + 1 + pad)
    return np.ascontiguousarray(rgba[y0:y1, x0:x1])


def _ring(image: NDArray[np.float32], width: int) -> NDArray[np.float32]:
    return np.concatenate(
        [
            image[:width].reshape(-1, 3),
            image[-width:].reshape(-1, 3),
            image[:, :width].reshape(-1, 3),
            image[:, -width:].reshape(-1, 3),
        ]
    )


def _fill_holes(mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
    # Flood the background from outside; whatever it cannot reach is inside the product
    # (a white label on a white packshot stays part of the product).
    padded = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    flood = padded.copy()
    cv2.floodFill(flood, None, (0, 0), 255)
    inside = cv2.bitwise_not(flood)[1:-1, 1:-1]
    return u8(cv2.bitwise_or(mask, inside))


def _largest_parts(mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.nonzero(areas >= 0.15 * areas.max())[0] + 1
    return np.where(np.isin(labels, keep), 255, 0).astype(np.uint8)


def _clean(mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    mask = u8(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel))
    mask = u8(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel))
    return _largest_parts(_fill_holes(mask))


def _border_share(mask: NDArray[np.uint8]) -> float:
    ring = max(2, round(0.02 * min(mask.shape)))
    border = np.concatenate(
        [mask[:ring].ravel(), mask[-ring:].ravel(), mask[:, :ring].ravel(), mask[:, -ring:].ravel()]
    )
    return np.count_nonzero(border) / border.size


def _roughness(mask: NDArray[np.uint8]) -> float:
    # Share of the shape that a coarse open+close changes: ragged, leaky edges change a lot.
    size = 2 * max(1, round(0.03 * min(mask.shape))) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    smooth = cv2.morphologyEx(
        cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel
    )
    changed = int(np.count_nonzero(smooth != mask))
    return changed / max(1, int(np.count_nonzero(mask)))


def mask_is_clean(mask: NDArray[np.uint8], strict: bool) -> bool:
    """Whether a foreground mask looks like one whole product rather than a ragged guess."""
    area = np.count_nonzero(mask) / mask.size
    if not 0.04 <= area <= 0.9:
        return False
    if _border_share(mask) > (0.05 if strict else 0.2):
        return False
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if len(contours) > (1 if strict else 3):
        return False
    hulls = [cv2.convexHull(c) for c in contours]
    solidity = np.count_nonzero(mask) / max(sum(cv2.contourArea(h) for h in hulls), 1.0)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    hull_perimeter = sum(cv2.arcLength(h, True) for h in hulls)
    if strict:
        return bool(
            solidity >= 0.94 and perimeter <= 1.1 * hull_perimeter and _roughness(mask) < 0.01
        )
    return bool(solidity >= 0.55 and perimeter <= 1.8 * hull_perimeter)


def _key_plain(
    lab: NDArray[np.float32], bg: NDArray[np.float32], spread: float
) -> tuple[NDArray[np.uint8], float]:
    threshold = max(14.0, 2.2 * spread)
    distance = np.linalg.norm(lab - bg, axis=2)
    mask = np.where(distance > threshold, 255, 0).astype(np.uint8)
    return _clean(mask), threshold


def _edge_support(small: NDArray[np.uint8], mask: NDArray[np.uint8]) -> float:
    # Share of the outline that runs along a strong colour edge. A cut through smooth sky
    # or skin (GrabCut guessing) has long stretches with nothing under it.
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2Lab).astype(np.float32)
    magnitude = np.zeros(mask.shape, np.float32)
    for channel in range(3):
        gx = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 1, 0)
        gy = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 0, 1)
        magnitude += cv2.magnitude(gx, gy)
    outline = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    near = cv2.dilate(magnitude, np.ones((3, 3), np.uint8))[outline]
    return float(np.mean(near > np.percentile(magnitude, 75))) if near.size else 0.0


def _grabcut(image: NDArray[np.uint8]) -> NDArray[np.uint8] | None:
    """GrabCut from a centred rectangle; the mask only when it is clean and edge-aligned."""
    scale = min(1.0, _GRABCUT_SIDE / max(image.shape[:2]))
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    small = u8(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
    height, width = small.shape[:2]
    rect = (round(width * 0.05), round(height * 0.05), round(width * 0.9), round(height * 0.9))
    mask = np.zeros((height, width), np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(7)  # GrabCut's GMM initialisation is random; keep results reproducible
    cv2.grabCut(small, mask, rect, bgd, fgd, 2, cv2.GC_INIT_WITH_RECT)
    fg = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    fg = _clean(fg)
    if mask_is_clean(fg, strict=True) and _edge_support(small, fg) >= 0.97:
        return fg
    return None


def _soft_alpha(
    mask_small: NDArray[np.uint8],
    size: tuple[int, int],
    distance: NDArray[np.float32] | None,
    threshold: float,
) -> NDArray[np.float32]:
    width, height = size
    hard = cv2.resize(mask_small, (width, height), interpolation=cv2.INTER_LINEAR) > 127
    radius = max(1, round(max(width, height) / _WORK_SIDE))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    hard_u8 = hard.astype(np.uint8)
    inner = cv2.erode(hard_u8, kernel).astype(np.float32)
    outer = cv2.dilate(hard_u8, kernel).astype(np.float32)
    if distance is None:
        alpha = hard.astype(np.float32)
    else:
        # Inside the uncertain band the colour distance itself is the alpha: real
        # anti-aliased edges, thin gaps and soft product edges come out soft.
        soft = np.clip((distance - 0.5 * threshold) / threshold, 0.0, 1.0)
        alpha = np.maximum(inner, soft * outer)
    sigma = 0.6 + 0.4 * radius
    return np.asarray(cv2.GaussianBlur(alpha, (0, 0), sigma), dtype=np.float32)


def _guided_alpha(
    rgb: NDArray[np.uint8], hard: NDArray[np.float32], radius: int
) -> NDArray[np.float32]:
    # An edge-aware refinement of a coarse mask (He et al.'s guided filter, grey guide):
    # the alpha follows the photo's own edges inside a thin band around the cut, and
    # stays exactly 1 inside the product and 0 outside it.
    guide = f32(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)) * np.float32(1 / 255)
    size = (2 * radius + 1, 2 * radius + 1)

    def box(image: NDArray[np.floating[Any]]) -> NDArray[np.float32]:
        return f32(cv2.boxFilter(image, -1, size))

    mean_i, mean_p = box(guide), box(hard)
    var_i = box(guide * guide) - mean_i * mean_i
    a = (box(guide * hard) - mean_i * mean_p) / (var_i + 1e-3)
    b = mean_p - a * mean_i
    refined = np.clip(box(a) * guide + box(b), 0, 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, size)
    inner = cv2.erode(hard, kernel)
    outer = cv2.dilate(hard, kernel)
    return f32(np.clip(np.maximum(refined * outer, inner), 0, 1))


def _spread(
    rgb: NDArray[np.float32], weight: NDArray[np.float32], sigma: float
) -> NDArray[np.float32]:
    # A blur of the weighted pixels only: the local colour of one side of the edge.
    total = cv2.GaussianBlur(weight, (0, 0), sigma)
    spread = cv2.GaussianBlur(rgb * weight[:, :, None], (0, 0), sigma)
    return f32(spread / np.maximum(total, 1e-3)[:, :, None])


def matte_edges(
    rgb: NDArray[np.uint8], alpha: NDArray[np.float32]
) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """Re-estimate alpha in a thin band round the cut and unmix the old background there.

    Each band pixel is read as a mix of the product's colour and the background's colour
    near it (both from their own side of the edge): its alpha is where it lies between
    the two, its colour the product's share. Inside and outside the band nothing changes,
    so the product's own pixels stay exactly as photographed.
    """
    radius = max(2, round(max(alpha.shape) / 300))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    hard = f32(alpha > 0.5)
    inner, outer = f32(cv2.erode(hard, kernel)), f32(cv2.dilate(hard, kernel))
    band = (outer - inner) > 0.5
    if not band.any():
        return rgb, alpha
    image = rgb.astype(np.float32)
    sigma = 2.0 * radius
    fore, back = _spread(image, inner, sigma), _spread(image, 1 - outer, sigma)
    span = fore - back
    share = np.sum((image - back) * span, axis=2) / np.maximum(np.sum(span * span, axis=2), 25.0)
    refined = np.where(band, np.clip(share, 0, 1), inner).astype(np.float32)
    a = np.clip(refined, 0.05, 1.0)[:, :, None]
    unmixed = np.clip((image - (1 - a) * back) / a, 0, 255)
    edge = (band & (refined < 0.999))[:, :, None]
    return np.where(edge, unmixed, rgb).astype(np.uint8), f32(
        cv2.GaussianBlur(refined, (0, 0), 0.6)
    )


def _assemble(rgb: NDArray[np.uint8], alpha: NDArray[np.float32]) -> NDArray[np.uint8]:
    a8 = np.clip(alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return _crop_to_alpha(np.dstack([rgb, a8]))


def cut_out_product(rgba: NDArray[np.uint8]) -> ProductLayer:
    """Cut the product out of its photo, or frame it as a card when no clean cut exists."""
    from_alpha = _alpha_layer(rgba)
    if from_alpha is not None:
        return from_alpha
    rgb = np.ascontiguousarray(rgba[:, :, :3])
    height, width = rgb.shape[:2]
    scale = min(1.0, _WORK_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = u8(cv2.GaussianBlur(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), (3, 3), 0))
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2Lab).astype(np.float32)
    ring = _ring(lab, max(2, round(0.03 * min(small.shape[:2]))))
    bg = np.median(ring, axis=0)
    spread = float(np.percentile(np.linalg.norm(ring - bg, axis=1), 90))
    if spread < _PLAIN_SPREAD:
        mask, threshold = _key_plain(lab, bg, spread)
        if mask_is_clean(mask, strict=False):
            full_lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab).astype(np.float32)
            distance = np.linalg.norm(full_lab - bg, axis=2)
            alpha = _soft_alpha(mask, (width, height), distance, threshold)
            clean_rgb, alpha = matte_edges(rgb, alpha)
            return ProductLayer(_assemble(clean_rgb, alpha), "keyed")
    cut = _grabcut(small)
    if cut is not None:
        hard = _soft_alpha(cut, (width, height), None, 0.0)
        alpha = _guided_alpha(rgb, hard, max(2, round(max(width, height) / 180)))
        clean_rgb, alpha = matte_edges(rgb, alpha)
        return ProductLayer(_assemble(clean_rgb, alpha), "grabcut")
    return ProductLayer(make_product_card(rgb), "card")
