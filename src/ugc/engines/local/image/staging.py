"""Staging the product: in the better hand, in the foreground, or raised from the frame's bottom.

Never in mid-air beside the face: a UGC creator holds the product, or shoots it in front of
themselves with the phone's portrait mode, or lifts it into shot from below.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from ugc.engines.local.image.people import HandPose
from ugc.engines.local.kit.geometry import Box

Composition = Literal["hand", "foreground", "raised"]
# How a hand holds the product: round it, the palm behind it and the fingertips over its
# front, or at its edge, the palm beside it and the fingers over that edge.
Grip = Literal["wrap", "edge"]
# Product area as a share of the frame: believable between 3% and 45%.
MIN_SHARE, MAX_SHARE = 0.03, 0.45
# In a hand the palm sets the size: a person far from the camera holds a smaller product,
# but not below the first of these shares (under it a plain product's outline is lost in
# a busy scene), nor the next ones unless the frame or a face leaves no room for it.
HELD_SHARES = (0.05, 0.035, 0.025)
# A product made this much bigger than its palm-sized self (so it can be read) is too big
# for the fingers to reach round: the hand holds it at its edge instead.
_EDGE_ENLARGED = 1.3
# A held product is about a palm wide, and between one and three palm lengths tall.
_WIDTH_PALMS = 1.15
_MIN_LENGTHS, _MAX_LENGTHS = 1.2, 2.8
_MAX_LEAN = 22.0
# A hand this small in the frame would hold a product nobody can read.
_MIN_PALM = 0.012
# Fingers may hide at most this share of the product, and much less of its print: a real
# hand grips a bottle below its label, not across it.
_MAX_COVER = 0.3
_MAX_PRINT_COVER = 0.08
# ...and at least this much: fingers that miss the product are not holding it.
_MIN_COVER = 0.03
# What each share of the product hidden costs a grip, against the share of its print: a
# plain product reads best with the least of it under the fingers.
_COVER_COST = 1.0
_TIPS = (4, 8, 12, 16, 20)  # MediaPipe's fingertips, thumb first
# Where the hand may hold the product along its own height (shares of it, + = the hand
# lower on the product), the middle first; the palm stays behind the product at every one.
_SLIDES = (0.0, 0.2, -0.2, 0.34, -0.34)
# Where the product's near edge may lie behind the palm's centre, in palm lengths, when
# the hand holds it at that edge (within the front of the palm the fingers are drawn with).
_EDGE_INSETS = (0.1, 0.0)
# ...over any side of it the fingers point across within 70 degrees of straight.
_ACROSS_EDGE = math.cos(math.radians(70))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the product sits on the canvas (before tilt) and how it leans (degrees, CCW)."""

    box: Box
    tilt_degrees: float


@dataclass(frozen=True, slots=True)
class Staging:
    """The chosen composition, the product's placement and the hand holding it, if any."""

    composition: Composition
    placement: Placement
    hand: HandPose | None = None
    grip: Grip = "wrap"


def turned_box(placement: Placement) -> Box:
    """The axis-aligned box around the product after its tilt."""
    box, angle = placement.box, math.radians(placement.tilt_degrees)
    cos, sin = abs(math.cos(angle)), abs(math.sin(angle))
    w, h = box.w * cos + box.h * sin, box.w * sin + box.h * cos
    return Box(box.cx - w / 2, box.cy - h / 2, w, h)


def _palm_size(hand: HandPose, aspect: float) -> tuple[float, float]:
    width = _WIDTH_PALMS * hand.palm_width
    height = width / aspect
    if height > _MAX_LENGTHS * hand.palm_length:
        height = _MAX_LENGTHS * hand.palm_length
        width = height * aspect
    if height < _MIN_LENGTHS * hand.palm_length:
        width = min(_MIN_LENGTHS * hand.palm_length * aspect, 2.2 * hand.palm_width)
        height = width / aspect
    return width, height


def _enlargement(palm_sized: tuple[float, float], frame_area: float, least: float) -> float:
    # How much bigger than palm-sized the product must be to fill `least` of the frame.
    width, height = palm_sized
    share = width * height / frame_area
    return math.sqrt(min(max(share, least), 0.35) / share)


def _hand_size(
    hand: HandPose, aspect: float, frame_area: float, least: float
) -> tuple[float, float]:
    width, height = _palm_size(hand, aspect)
    fix = _enlargement((width, height), frame_area, least)
    return width * fix, height * fix


def grip_kind(
    hand: HandPose, aspect: float, size: tuple[int, int], least: float = HELD_SHARES[0]
) -> Grip:
    """How this hand holds a product of this shape, at least `least` of this frame."""
    enlarged = _enlargement(_palm_size(hand, aspect), size[0] * size[1], least) > _EDGE_ENLARGED
    return "edge" if enlarged else "wrap"


def _lean(axis: tuple[float, float]) -> float:
    # The product follows the hand's axis, folded to the nearest of up, down or sideways:
    # a hand pointing up holds it upright, a hand from the side grips it across.
    degrees = math.degrees(math.atan2(axis[0], -axis[1]))
    folded = (degrees + 45) % 90 - 45
    return min(max(0.7 * folded, -_MAX_LEAN), _MAX_LEAN)


def grip_placement(
    hand: HandPose,
    aspect: float,
    size: tuple[int, int],
    reach: float,
    slide: float = 0.0,
    least: float = HELD_SHARES[0],
) -> Placement:
    """The product in the hand: sized from the palm, leaning with it, over palm and fingers.

    `reach` moves the product along the hand's axis, in shares of its extent (0 = centred
    on the palm); the fingers then cover more (larger reach) or less of it. `slide` moves
    it up its own height (shares of it), so the hand holds it nearer its base (or its top).
    """
    width, height = _hand_size(hand, aspect, size[0] * size[1], least)
    ux, uy = hand.axis
    along = abs(ux) * width / 2 + abs(uy) * height / 2
    cx, cy = hand.palm_centre
    shift = along * reach
    tilt = -_lean(hand.axis)
    turn = math.radians(tilt)  # the product's "up" after a counter-clockwise tilt
    up_x, up_y = -math.sin(turn) * slide * height, -math.cos(turn) * slide * height
    box = Box(
        cx + ux * shift + up_x - width / 2, cy + uy * shift + up_y - height / 2, width, height
    )
    return Placement(box, tilt)


def _sides(tilt: float, width: float, height: float) -> list[tuple[float, float, float, float]]:
    # The product's four sides once it leans: each side's outward normal, the distance to
    # it from the centre, and the half-length along it.
    turn = math.radians(tilt)
    across = (math.cos(turn), -math.sin(turn))  # the product's x axis on the canvas
    down = (math.sin(turn), math.cos(turn))
    sides = []
    for (nx, ny), half, along in ((across, width / 2, height / 2), (down, height / 2, width / 2)):
        sides += [(nx, ny, half, along), (-nx, -ny, half, along)]
    return sides


def edge_placements(
    hand: HandPose,
    aspect: float,
    size: tuple[int, int],
    inset: float,
    slide: float = 0.0,
    least: float = HELD_SHARES[0],
) -> list[Placement]:
    """The product held at an edge: the palm at that edge, the fingers reaching over it.

    One placement per side of the product the fingers point across. The edge lies `inset`
    palm lengths behind the palm's centre, so the palm's centre is just on the product;
    `slide` moves the product along that edge (shares of its half-length). The fingers
    then cover a strip along the edge, never its face with the hand hidden behind.
    """
    width, height = _hand_size(hand, aspect, size[0] * size[1], least)
    ux, uy = hand.axis
    tilt = -_lean(hand.axis)
    cx, cy = hand.palm_centre
    placements = []
    for nx, ny, half, along in _sides(tilt, width, height):
        if nx * ux + ny * uy < _ACROSS_EDGE:
            continue
        reach, shift = half - inset * hand.palm_length, slide * along
        x, y = cx + nx * reach - ny * shift, cy + ny * reach + nx * shift
        placements.append(Placement(Box(x - width / 2, y - height / 2, width, height), tilt))
    return placements


def _clear(placement: Placement, size: tuple[int, int], faces: tuple[Box, ...]) -> bool:
    # Inside the frame (it may leave through the bottom edge, as held things do) and off
    # every face.
    box = turned_box(placement)
    width, height = size
    margin = 0.01 * min(size)
    inside = box.x >= margin and box.right <= width - margin and box.y >= margin
    low = box.bottom <= height - margin or box.bottom - height < 0.3 * box.h
    return inside and low and all(box.intersection(f.grown(0.08)) == 0 for f in faces)


def hand_rank(hand: HandPose, size: tuple[int, int]) -> float:
    """How good a hand is to hold the product: free, big (near the camera), confident."""
    width, height = size
    inside = np.mean(
        (hand.points[:, 0] >= 0)
        & (hand.points[:, 0] < width)
        & (hand.points[:, 1] >= 0)
        & (hand.points[:, 1] < height)
    )
    if inside < 0.8 or hand.palm_width < _MIN_PALM * min(size):
        return 0.0
    return float(hand.palm_width * hand.score * (1.0 - 0.75 * hand.holding) * inside)


class Hidden(NamedTuple):
    """What a hand's fingers hide of the product: shares of its area and of its print."""

    share: float
    printed: float


CoverFn = Callable[[HandPose, "Placement", Grip], Hidden]


class _Held(NamedTuple):
    """A hand's best grip: how much it costs, of the print hidden, and the staging."""

    cost: float
    printed: float
    staging: Staging


def _in_hand(
    hands: tuple[HandPose, ...],
    aspect: float,
    size: tuple[int, int],
    faces: tuple[Box, ...],
    cover: CoverFn | None,
) -> Staging | None:
    ranked = sorted(hands, key=lambda h: hand_rank(h, size), reverse=True)
    fallback: _Held | None = None
    for hand in ranked:
        if hand_rank(hand, size) <= 0:
            break
        best = _best_grip(hand, aspect, size, faces, cover)
        if best is None:
            continue
        if best.printed <= _MAX_PRINT_COVER:
            return best.staging
        # This hand's fingers would cross the label wherever it holds the product: try the
        # other hand before settling for the least covered grip.
        if fallback is None or best.printed < fallback.printed:
            fallback = best
    return None if fallback is None else fallback.staging


def _on_product(point: tuple[float, float], placement: Placement, share: float) -> bool:
    # The point lies on the product (in its own tilted frame), within `share` of its
    # half-sizes from its centre.
    box, turn = placement.box, math.radians(placement.tilt_degrees)
    dx, dy = point[0] - box.cx, point[1] - box.cy
    across = dx * math.cos(turn) - dy * math.sin(turn)
    up = dx * math.sin(turn) + dy * math.cos(turn)
    return abs(across) <= share * box.w / 2 and abs(up) <= share * box.h / 2


def _gripped(hand: HandPose, placement: Placement) -> bool:
    # A hold: the palm on the product (behind it, or at its edge) and a fingertip over it.
    tips = (hand.points[i] for i in _TIPS)
    return _on_product(hand.palm_centre, placement, 1.0) and any(
        _on_product((float(x), float(y)), placement, 1.0) for x, y in tips
    )


def _grips(
    hand: HandPose, aspect: float, size: tuple[int, int], grip: Grip, least: float, behind: bool
) -> Iterator[tuple[Placement, float, float]]:
    # Every place the hand may hold the product, with a small preference that breaks ties
    # and the least share of it the fingers must cover there.
    # Round it: over the palm, a little towards the fingers so their tips wrap its front,
    # further along or back, higher or lower on it when the frame, a face or its print are
    # in the way. At its edge: the palm there, higher or lower along it. Held from behind
    # (over the palm, the fingers seen only where they reach past it, maybe not at all)
    # only when no edge grip fits.
    if grip == "edge" and not behind:
        for inset in _EDGE_INSETS:
            for slide in _SLIDES:
                for placement in edge_placements(hand, aspect, size, inset, slide, least):
                    yield placement, 0.02 * abs(slide), _MIN_COVER
        return
    if behind != (grip == "edge"):
        return
    fewest = 0.0 if behind else _MIN_COVER
    for reach in (0.25, 0.5, 0.0, 0.75):
        for slide in _SLIDES:
            placement = grip_placement(hand, aspect, size, reach, slide, least)
            yield placement, 0.02 * abs(slide) + 0.01 * abs(reach - 0.25), fewest


def _best_grip(
    hand: HandPose,
    aspect: float,
    size: tuple[int, int],
    faces: tuple[Box, ...],
    cover: CoverFn | None,
) -> _Held | None:
    # The product as big as reads well, smaller where nothing fits at that size or only
    # across its print; held from behind only when no hold clear of the print fits.
    fallback: _Held | None = None
    for behind in (False, True):
        for least in HELD_SHARES:
            best = _best_grip_at(hand, aspect, size, faces, cover, least, behind)
            if best is None:
                continue
            if best.printed <= _MAX_PRINT_COVER:
                return best
            if fallback is None or best.printed < fallback.printed:
                fallback = best
    return fallback


def _best_grip_at(
    hand: HandPose,
    aspect: float,
    size: tuple[int, int],
    faces: tuple[Box, ...],
    cover: CoverFn | None,
    least: float,
    behind: bool,
) -> _Held | None:
    # The first grip clear of the frame's edges and the faces, or, knowing what the
    # fingers hide, the one that hides least of the print, then least of the product.
    grip = grip_kind(hand, aspect, size, least)
    best: _Held | None = None
    for placement, preference, fewest in _grips(hand, aspect, size, grip, least, behind):
        if not _clear(placement, size, faces):
            continue
        if cover is None:
            return _Held(0.0, 0.0, Staging("hand", placement, hand, grip))
        if not _gripped(hand, placement):
            continue
        hidden = cover(hand, placement, grip)
        if not fewest <= hidden.share <= _MAX_COVER:
            continue
        cost = hidden.printed + preference + _COVER_COST * hidden.share
        if best is None or cost < best.cost:
            best = _Held(cost, hidden.printed, Staging("hand", placement, hand, grip))
    return best


def _sized(share: float, aspect: float, size: tuple[int, int]) -> tuple[float, float]:
    width, height = size
    box_h = math.sqrt(share * width * height / aspect)
    box_w = box_h * aspect
    # Tall frames keep it to the lower part; short ones need more of their height for it.
    tallest = 0.4 if height > width else 0.62
    fit = min(1.0, 0.5 * width / box_w, tallest * height / box_h)
    return box_w * fit, box_h * fit


def _from_below(
    share: float, bleed: float, aspect: float, size: tuple[int, int], faces: tuple[Box, ...]
) -> Placement:
    # Rising from the bottom edge, on the side of the frame away from the face, and never
    # up over the chin: shrink until it clears every face.
    width, height = size
    face = faces[0] if faces else None
    side = 1.0 if face is None or face.cx <= width / 2 else -1.0
    while True:
        box_w, box_h = _sized(share, aspect, size)
        cx = width / 2 + side * 0.2 * width
        cx = min(max(cx, box_w / 2 + 0.05 * width), width - box_w / 2 - 0.05 * width)
        box = Box(cx - box_w / 2, height + bleed * box_h - box_h, box_w, box_h)
        placement = Placement(box, -3.0 * side)
        if _clear(placement, size, faces) or share <= MIN_SHARE:
            return placement
        share *= 0.85


def stage_product(
    hands: tuple[HandPose, ...],
    faces: tuple[Box, ...],
    has_mask: bool,
    aspect: float,
    size: tuple[int, int],
    cover: CoverFn | None = None,
) -> Staging:
    """Choose the composition and place the product (aspect = product width / height).

    `cover` tells how much of the product a hand's fingers would hide at a placement.
    """
    held = _in_hand(hands, aspect, size, faces, cover)
    if held is not None:
        return held
    if has_mask:
        # Portrait mode: the product sharp and near, the person softly behind it.
        return Staging("foreground", _from_below(0.2, 0.06, aspect, size, faces))
    return Staging("raised", _from_below(0.14, 0.12, aspect, size, faces))
