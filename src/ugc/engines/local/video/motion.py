"""The video's choreography: camera path, handheld drift, product pop, caption and card timing."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ugc.engines.local.kit.geometry import Box

FPS = 30
DURATION = 8.0
FRAME_COUNT = round(FPS * DURATION)
# The end card fades in over CARD_FADE seconds starting at CARD_START.
CARD_START = 6.5
CARD_FADE = 0.45
# Captions: one line after another, each fading up over LINE_FADE seconds.
FIRST_LINE_AT = 0.35
LINE_GAP = 0.55
LINE_FADE = 0.35
# Handheld drift, as a fraction of the frame's shorter side, and its roll in degrees.
_DRIFT = 0.006
_ROLL = 0.35
_MIN_ZOOM = 1.04  # headroom so the drift never shows past the photo's edges


@dataclass(frozen=True, slots=True)
class View:
    """What the camera sees at one instant, in layer pixels: centre, zoom and roll."""

    cx: float
    cy: float
    zoom: float
    roll: float


@dataclass(frozen=True, slots=True)
class Shot:
    """The two framings the camera moves between: the opening push and the product close-up."""

    start: View
    push: View
    close: View | None


def smoothstep(u: float) -> float:
    """Ease in and out on 0..1."""
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def plan_shot(size: tuple[int, int], face: Box | None, product: Box | None) -> Shot:
    """The framings for a layer of `size` with the face and product where they are."""
    width, height = size
    centre = (width / 2, height / 2)
    subject = centre if face is None else (face.cx, face.cy)
    if product is not None:
        subject = ((subject[0] + product.cx) / 2, (subject[1] + product.cy) / 2)
    start = View(centre[0], centre[1], _MIN_ZOOM, 0.0)
    push = View(subject[0], subject[1], 1.13, 0.0)
    close = None
    if product is not None:
        zoom = min(0.62 * width / product.w, 0.62 * height / product.h)
        zoom = min(max(zoom, 1.2), 1.45)
        close = View(product.cx, product.cy, zoom, 0.0)
    return Shot(start, push, close)


def _mix(a: View, b: View, u: float) -> View:
    zoom = math.exp(math.log(a.zoom) * (1 - u) + math.log(b.zoom) * u)
    return View(a.cx + (b.cx - a.cx) * u, a.cy + (b.cy - a.cy) * u, zoom, 0.0)


def handheld(t: float, scale: float) -> tuple[float, float, float]:
    """Camera shake at time t: (dx, dy) in pixels for a frame of shorter side `scale`, roll."""
    # Sums of slow, incommensurate sines: smooth, never repeating, the same every render.
    dx = math.sin(2 * math.pi * 0.23 * t + 0.7) + 0.45 * math.sin(2 * math.pi * 0.61 * t + 2.1)
    dy = math.sin(2 * math.pi * 0.19 * t + 1.9) + 0.45 * math.sin(2 * math.pi * 0.53 * t + 0.3)
    roll = math.sin(2 * math.pi * 0.17 * t + 1.1)
    return dx * _DRIFT * scale, dy * _DRIFT * scale, roll * _ROLL


def clamp_view(view: View, size: tuple[int, int]) -> View:
    """Move the view's centre so the frame stays inside the layer (no empty borders)."""
    width, height = size
    half_w, half_h = width / (2 * view.zoom), height / (2 * view.zoom)
    # The roll tilts the frame; a small extra margin keeps its corners on the picture.
    margin = abs(math.radians(view.roll)) * max(width, height) / view.zoom
    cx = min(max(view.cx, half_w + margin), width - half_w - margin)
    cy = min(max(view.cy, half_h + margin), height - half_h - margin)
    return View(cx, cy, view.zoom, view.roll)


def camera_at(t: float, shot: Shot, size: tuple[int, int]) -> View:
    """The camera view at time t (seconds)."""
    view = _mix(shot.start, shot.push, smoothstep(t / 4.2))
    if shot.close is not None:
        view = _mix(view, shot.close, smoothstep((t - 3.0) / 1.8))
    dx, dy, roll = handheld(t, min(size))
    return clamp_view(
        View(view.cx + dx / view.zoom, view.cy + dy / view.zoom, view.zoom, roll), size
    )


def product_pop(t: float) -> float:
    """Extra scale of the product: a gentle pop about one second in, then at rest."""
    u = (t - 0.8) / 0.7
    if u <= 0 or u >= 1:
        return 1.0
    return 1.0 + 0.07 * math.sin(math.pi * u) ** 2


def product_lift(t: float) -> tuple[float, float]:
    """The hand lifting the product toward the camera: (extra scale, rise in product heights)."""
    u = smoothstep((t - 1.6) / 1.6)
    return 1.0 + 0.05 * u, 0.06 * u


def line_opacity(index: int, t: float) -> float:
    """Opacity of caption line `index` at time t: in one by one, out with the end card."""
    appear = smoothstep((t - FIRST_LINE_AT - index * LINE_GAP) / LINE_FADE)
    leave = 1.0 - smoothstep((t - CARD_START) / (CARD_FADE * 0.6))
    return appear * leave


def card_opacity(t: float) -> float:
    """Opacity of the end card over the shot."""
    return smoothstep((t - CARD_START) / CARD_FADE)
