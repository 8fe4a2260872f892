"""The fingers in front of a held product: a mask from the hand's points, refined by the person."""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.people import HandPose
from ugc.engines.local.image.sprite import soft_blur
from ugc.engines.local.image.staging import Grip, Hidden, Placement, turned_box
from ugc.engines.local.kit.arrays import f32, u8
from ugc.engines.local.kit.geometry import Box

# What wraps round the front of a product held round it: each finger from its middle joint
# to its tip, and the thumb's last joint; the palm and the fingers' bases stay behind it.
_WRAPPED = ((3, 4), (6, 7, 8), (10, 11, 12), (14, 15, 16), (18, 19, 20))
# What comes over the edge of a product held at its edge: each finger from its knuckle to
# its tip, the thumb from its base joint, and the front of the palm. The back of the palm
# and the wrist stay beside (behind) it.
_FINGERS = ((2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
_THICKNESS = (0.3, 0.26, 0.27, 0.25, 0.21)
_KNUCKLES = (5, 9, 13, 17)
_PALM = (0, 1, 2, 5, 9, 13, 17)
# How far behind the palm's centre (in palm lengths) its front reaches: a product whose
# edge sits at the palm (staging's edge grip) still has the hand continuous across it.
PALM_FRONT = 0.2
_FOREARM = 0.5  # how much of the forearm (palm lengths) leads the hand back to the arm
# A product's shadow is never more than 0.6 opaque: above this a sprite pixel is product.
_SOLID = 0.7

_Part = Literal["wrap", "edge", "whole"]
_KERNEL = np.ones((3, 3), np.uint8)
_DETAIL_SIDE = 160  # the print map is coarse: it only says where the label is
_SUBPIXEL = 4  # drawn with sub-pixel precision, LINE_AA at 1/4 px


def _palm_front(hand: HandPose) -> NDArray[np.float32]:
    # The knuckles, and the same points moved back along the hand to a line just behind
    # the palm's centre: the part of the palm the fingers grow from.
    axis = np.array(hand.axis, np.float32)
    back = np.array(hand.palm_centre, np.float32) - axis * np.float32(PALM_FRONT * hand.palm_length)
    knuckles = hand.points[list(_KNUCKLES)]
    behind = knuckles - ((knuckles - back) @ axis)[:, None] * axis
    return np.concatenate([knuckles, behind[::-1]]).astype(np.float32)


def _draw(
    hand: HandPose, origin: NDArray[np.float32], shape: tuple[int, int], part: _Part
) -> NDArray[np.float32]:
    # The fingers that wrap round a product, those over its edge with the front of the
    # palm, or the whole hand from the forearm on.
    mask = np.zeros(shape, np.uint8)
    whole = part == "whole"

    def fixed(points: NDArray[np.float32]) -> NDArray[np.int32]:
        return np.round((points - origin) * _SUBPIXEL).astype(np.int32).reshape(-1, 1, 2)

    if part != "wrap":
        palm = hand.points[list(_PALM)] if whole else _palm_front(hand)
        cv2.fillPoly(mask, [fixed(palm)], 255, cv2.LINE_AA, shift=2)
    chains = {"wrap": _WRAPPED, "edge": _FINGERS, "whole": ((1, *_FINGERS[0]), *_FINGERS[1:])}
    if whole:
        wrist = hand.points[0]
        arm = wrist - np.array(hand.axis, np.float32) * np.float32(_FOREARM * hand.palm_length)
        width = max(2, round(0.8 * hand.palm_width))
        cv2.polylines(mask, [fixed(np.stack([wrist, arm]))], False, 255, width, cv2.LINE_AA, 2)
    for chain, share in zip(chains[part], _THICKNESS, strict=True):
        points = fixed(hand.points[list(chain)])
        thickness = max(2, round(share * hand.palm_width))
        cv2.polylines(mask, [points], False, 255, thickness, cv2.LINE_AA, shift=2)
        for x, y in points.reshape(-1, 2):
            cv2.circle(mask, (int(x), int(y)), thickness * 2, 255, -1, cv2.LINE_AA, shift=2)
    return f32(mask) * np.float32(1 / 255)


def _on_person(
    drawn: NDArray[np.float32], person: NDArray[np.float32], hand: HandPose
) -> NDArray[np.float32]:
    # The drawn hand is a guess at its width; the person mask knows where the skin really
    # ends (and where the gaps between the fingers are).
    side = 2 * max(1, round(0.06 * hand.palm_width)) + 1
    grown = cv2.dilate(drawn, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    return f32(np.minimum(grown, np.clip(person * 1.4 - 0.2, 0, 1)))


def _from_the_arm(
    front: NDArray[np.float32],
    whole: NDArray[np.float32],
    product: NDArray[np.float32],
    hand: HandPose,
    origin: NDArray[np.float32],
) -> NDArray[np.float32]:
    # Over the product, keep only the pieces of the front that meet the hand where it shows
    # beside the product and leads back to the arm. A piece met by nothing would be a
    # finger floating on its face; one met only by the tips poking out past its far side,
    # fingers whose hand is hidden.
    solid = product > 0.5
    beside = u8((whole > 0.3) & ~solid)
    count, parts = cv2.connectedComponents(beside, connectivity=8)
    height, width = solid.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    (ux, uy), (px, py) = hand.axis, hand.palm_centre
    cx, cy = px - float(origin[0]), py - float(origin[1])
    behind = (xs - cx) * ux + (ys - cy) * uy < -PALM_FRONT * hand.palm_length
    rooted = np.zeros(count, bool)
    rooted[np.unique(parts[behind & (beside > 0)])] = True
    rooted[0] = False
    arm = cv2.dilate(u8(rooted[parts]), _KERNEL, iterations=2) > 0
    count, pieces = cv2.connectedComponents(u8((front > 0.3) & solid), connectivity=8)
    kept = np.zeros(count, bool)
    kept[np.unique(pieces[arm & (pieces > 0)])] = True
    kept[0] = False
    # Beside the product the hand stays in front of its shadow; the soft fringe round a
    # kept piece stays with it.
    near = u8(cv2.dilate(u8(kept[pieces]), _KERNEL, iterations=3))
    return f32(front * np.maximum(near, u8(~solid)))


def finger_mask(
    hand: HandPose,
    region: Box,
    person: NDArray[np.float32] | None,
    grip: Grip = "wrap",
    product: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """0..1 mask of the fingers over `region` of the canvas (region-sized).

    For a product held at its edge, given its 0..1 coverage of the region, only the
    fingers that reach over it from the hand beside it are kept (the region must reach
    past it far enough to show that hand).
    """
    x0, y0 = int(region.x), int(region.y)
    width, height = max(1, int(region.w)), max(1, int(region.h))
    origin = np.array([x0, y0], np.float32)
    front = _draw(hand, origin, (height, width), grip)
    attach = grip == "edge" and product is not None
    whole = _draw(hand, origin, (height, width), "whole") if attach else None
    if person is not None:
        crop = person[y0 : y0 + height, x0 : x0 + width]
        pad = np.zeros((height, width), np.float32)
        pad[: crop.shape[0], : crop.shape[1]] = crop
        front = _on_person(front, pad, hand)
        whole = None if whole is None else _on_person(whole, pad, hand)
    if product is not None and whole is not None:
        front = _from_the_arm(front, whole, product, hand, origin)
    return f32(cv2.GaussianBlur(front, (0, 0), 0.8))


def solid_share(rgba: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Where a sprite is the product itself (1) rather than its shadow or nothing (0)."""
    return f32(rgba[:, :, 3] > _SOLID * 255)


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
    grip: Grip,
    printed: NDArray[np.float32],
    person: NDArray[np.float32] | None,
) -> Hidden:
    """How much of the product, and of its print, the hand's fingers would hide there."""
    box = turned_box(placement)
    # A margin round the product, so the hand beside it, back to the wrist, is seen.
    margin = 4 + round((PALM_FRONT + 0.3) * hand.palm_length)
    x0, y0 = int(box.x) - margin, int(box.y) - margin
    width, height = max(1, int(box.w)) + 2 * margin, max(1, int(box.h)) + 2 * margin
    src_h, src_w = printed.shape[:2]
    matrix = cv2.getRotationMatrix2D(
        (src_w / 2, src_h / 2), placement.tilt_degrees, placement.box.w / src_w
    )
    matrix[0, 2] += box.cx - x0 - src_w / 2
    matrix[1, 2] += box.cy - y0 - src_h / 2
    placed = f32(cv2.warpAffine(printed, matrix, (width, height), flags=cv2.INTER_LINEAR))
    detail, alpha = f32(placed[:, :, 0] * placed[:, :, 1]), f32(placed[:, :, 1])
    fingers = finger_mask(hand, Box(x0, y0, width, height), person, grip, alpha)
    return Hidden(covered_share(fingers, alpha), covered_share(fingers, detail))
