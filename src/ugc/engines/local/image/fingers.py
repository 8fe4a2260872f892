"""The fingers in front of a held product: a mask from the hand's points, refined by the person."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.people import HandPose
from ugc.engines.local.image.sprite import soft_blur
from ugc.engines.local.image.staging import Hidden, Placement, turned_box
from ugc.engines.local.kit.arrays import f32, u8
from ugc.engines.local.kit.geometry import Box

# What wraps round the front of a held product: each finger from its middle joint to its
# tip, and the thumb's last joint. The palm and the fingers' bases stay behind it.
_FINGERS = ((3, 4), (6, 7, 8), (10, 11, 12), (14, 15, 16), (18, 19, 20))
_THICKNESS = (0.3, 0.26, 0.27, 0.25, 0.21)

_KERNEL = np.ones((3, 3), np.uint8)
_DETAIL_SIDE = 160  # the print map is coarse: it only says where the label is


def finger_mask(
    hand: HandPose, region: Box, person: NDArray[np.float32] | None
) -> NDArray[np.float32]:
    """0..1 mask of the fingers over `region` of the canvas (region-sized)."""
    x0, y0 = int(region.x), int(region.y)
    width, height = max(1, int(region.w)), max(1, int(region.h))
    scale = 4  # drawn with sub-pixel precision, LINE_AA at 1/4 px
    mask = np.zeros((height, width), np.uint8)
    origin = np.array([x0, y0], np.float32)
    for chain, share in zip(_FINGERS, _THICKNESS, strict=True):
        points = np.round((hand.points[list(chain)] - origin) * scale).astype(np.int32)
        thickness = max(2, round(share * hand.palm_width))
        cv2.polylines(mask, [points.reshape(-1, 1, 2)], False, 255, thickness, cv2.LINE_AA, shift=2)
        for x, y in points:
            cv2.circle(mask, (int(x), int(y)), thickness * 2, 255, -1, cv2.LINE_AA, shift=2)
    soft = f32(mask) * np.float32(1 / 255)
    if person is not None:
        # The drawn fingers are a guess at their width; the person mask knows where the
        # skin really ends (and where the gaps between the fingers are).
        crop = person[y0 : y0 + height, x0 : x0 + width]
        pad = np.zeros((height, width), np.float32)
        pad[: crop.shape[0], : crop.shape[1]] = crop
        side = 2 * max(1, round(0.06 * hand.palm_width)) + 1
        grown = cv2.dilate(soft, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
        soft = np.minimum(grown, np.clip(pad * 1.4 - 0.2, 0, 1))
    return f32(cv2.GaussianBlur(soft, (0, 0), 0.8))


def covered_share(mask: NDArray[np.float32], product_alpha: NDArray[np.float32]) -> float:
    """How much of the product the fingers hide (both region-sized)."""
    solid = float(product_alpha.sum())
    return 0.0 if solid <= 0 else float((mask * product_alpha).sum()) / solid


def contact_shade(rgba: NDArray[np.uint8], mask: NDArray[np.float32], palm_width: float) -> None:
    """Darken a premultiplied sprite just around the fingers, in place: they touch it."""
    reach = soft_blur(f32(cv2.dilate(mask, _KERNEL, iterations=2)), max(1.5, 0.07 * palm_width))
    alpha = rgba[:, :, 3].astype(np.float32) * np.float32(1 / 255)
    shade = np.clip(reach - mask, 0, 1) * alpha * np.float32(0.35)
    gain = cv2.cvtColor(1 - shade, cv2.COLOR_GRAY2RGB)
    rgba[:, :, :3] = u8(np.clip(rgba[:, :, :3] * gain + 0.5, 0, 255))


def print_map(rgba: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Where the product carries print (its label, logo, text), 0..1, as a small RGBA map.

    The edge density of its lightness inside its silhouette (the outline itself left out):
    a plain cap or base reads near 0, a label full of letters near 1. The alpha rides along
    in the last channel so a placement can warp both at once.
    """
    scale = _DETAIL_SIDE / max(rgba.shape[:2])
    size = (max(1, round(rgba.shape[1] * scale)), max(1, round(rgba.shape[0] * scale)))
    small = cv2.resize(rgba, size, interpolation=cv2.INTER_AREA) if scale < 1 else rgba
    alpha = f32(small[:, :, 3]) * np.float32(1 / 255)
    gray = cv2.cvtColor(np.ascontiguousarray(small[:, :, :3]), cv2.COLOR_RGB2GRAY)
    gray = f32(cv2.GaussianBlur(f32(gray), (0, 0), 0.8))
    grad = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    inner = cv2.erode(alpha, np.ones((5, 5), np.uint8))
    detail = soft_blur(f32(grad * inner), max(1.0, 0.04 * _DETAIL_SIDE))
    detail = detail / max(float(detail.max()), 1e-6)
    return np.dstack([detail, alpha]).astype(np.float32)


def hidden_by_fingers(
    hand: HandPose,
    placement: Placement,
    printed: NDArray[np.float32],
    person: NDArray[np.float32] | None,
) -> Hidden:
    """How much of the product, and of its print, the hand's fingers would hide there."""
    box = turned_box(placement)
    width, height = max(1, int(box.w)), max(1, int(box.h))
    src_h, src_w = printed.shape[:2]
    matrix = cv2.getRotationMatrix2D(
        (src_w / 2, src_h / 2), placement.tilt_degrees, placement.box.w / src_w
    )
    matrix[0, 2] += box.cx - int(box.x) - src_w / 2
    matrix[1, 2] += box.cy - int(box.y) - src_h / 2
    placed = f32(cv2.warpAffine(printed, matrix, (width, height), flags=cv2.INTER_LINEAR))
    fingers = finger_mask(hand, Box(int(box.x), int(box.y), width, height), person)
    detail, alpha = f32(placed[:, :, 0] * placed[:, :, 1]), f32(placed[:, :, 1])
    return Hidden(covered_share(fingers, alpha), covered_share(fingers, detail))
