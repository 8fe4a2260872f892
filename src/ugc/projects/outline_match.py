"""Finding a product that has too little texture for feature matching: by its edges.

A plain matte tube or a flat-colour box gives SIFT a handful of corners, not enough for a
homography, though a person sees it at once. What it does have is an outline and a few
inner edges (a cap, a fold). Both are drawn as edge maps that saturate (any clear edge
counts fully, whatever its contrast), so a product in new colours is still found where it
sits and the colour check can then call it changed; an absent product finds no such
outline. The search is a masked normalised cross-correlation of the product's edges over
scales and turns on a small copy of the picture, then refined around the best peak on a
larger one. Pure functions over numpy arrays; CPU only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

FOUND_AT = 0.5  # edge correlation from which the outline is the product's
_COARSE_FOUND_AT = 0.4  # ...on the small copy, where edges blur together
_COARSE_SIDE = 160
_FINE_SIDE = 400  # ...and for the refinement around the best peak
_SHARES = tuple(0.15 * 1.18**i for i in range(11))  # product long side / picture long side, to 0.78
_TURNS = (0.0, -10.0, 10.0, -20.0, 20.0)
_EDGE = 12.0  # a colour step (Lab units) that counts as a full edge


@dataclass(frozen=True, slots=True)
class OutlineMatch:
    """Where the product's outline sits: product -> picture (3x3), and how well it fits."""

    matrix: NDArray[np.float64]
    correlation: float


def edge_map(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """0..1 edges of an RGB picture, saturating: lightness and colour steps alike."""
    lab = cv2.cvtColor(cv2.GaussianBlur(rgb, (0, 0), 1.0), cv2.COLOR_RGB2LAB).astype(np.float32)
    strongest = np.zeros(rgb.shape[:2], np.float32)
    for channel in cv2.split(lab):
        gx = cv2.Sobel(channel, cv2.CV_32F, 1, 0, ksize=3, scale=0.25)
        gy = cv2.Sobel(channel, cv2.CV_32F, 0, 1, ksize=3, scale=0.25)
        np.maximum(strongest, cv2.magnitude(gx, gy), out=strongest)
    return np.asarray(np.minimum(strongest / _EDGE, 1.0), np.float32)


def _shrunk(image: NDArray[np.uint8], side: int) -> tuple[NDArray[np.uint8], float]:
    scale = min(1.0, side / max(image.shape[:2]))
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8), scale


def _padded(edges: NDArray[np.float32]) -> tuple[NDArray[np.float32], int]:
    # A product may leave the frame (held up from its bottom edge): no edges beyond it.
    pad = round(0.2 * max(edges.shape))
    padded = cv2.copyMakeBorder(edges, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    return np.asarray(padded, np.float32), pad


def _similarity(
    scale: float, turn: float, centre: tuple[float, float], size: tuple[int, int]
) -> NDArray[np.float64]:
    """Product pixels -> picture pixels: scaled, turned (degrees, CCW) about its centre."""
    w, h = size
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), turn, scale)
    matrix[0, 2] += centre[0] - w / 2
    matrix[1, 2] += centre[1] - h / 2
    return np.asarray(np.vstack([matrix, [0.0, 0.0, 1.0]]), np.float64)


class _Template:
    """The product's edges (and where they count) at one scale and turn.

    Drawn at that size from the product's pixels (not shrunk from a large edge map), so its
    edges are as wide and as strong as the picture's at the same size.
    """

    def __init__(
        self, rgb: NDArray[np.uint8], mask: NDArray[np.uint8], scale: float, turn: float
    ) -> None:
        h, w = mask.shape
        rotation = cv2.getRotationMatrix2D((w / 2, h / 2), turn, scale)
        corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], float) @ rotation.T
        out_w = math.ceil(np.ptp(corners[:, 0])) + 6
        out_h = math.ceil(np.ptp(corners[:, 1])) + 6
        rotation[0, 2] += out_w / 2 - w / 2  # the product's centre to the template's
        rotation[1, 2] += out_h / 2 - h / 2
        size = (out_w, out_h)
        flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        turned = cv2.warpAffine(rgb, rotation, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
        solid = np.asarray(cv2.warpAffine(mask, rotation, size, flags=cv2.INTER_LINEAR) > 127)
        ring = np.ones((3, 3), np.uint8)
        inside = cv2.erode(solid.astype(np.uint8), ring)
        # The outline itself, whatever the studio background was: the scene behind the
        # product in an ad is another colour, so its silhouette is an edge there too.
        outline = cv2.morphologyEx(solid.astype(np.uint8), cv2.MORPH_GRADIENT, ring)
        edges = np.maximum(edge_map(np.asarray(turned, np.uint8)) * inside, outline)
        self.edges = np.asarray(edges, np.float32)
        # Only the product and a ring round its outline count, not what lies beside it.
        self.mask = np.asarray(cv2.dilate(solid.astype(np.uint8), ring, iterations=2), np.uint8)
        self.offset = (out_w / 2, out_h / 2)  # the product's centre in the template
        self.scale, self.turn = scale, turn


def _peak(picture: NDArray[np.float32], template: _Template) -> tuple[float, tuple[float, float]]:
    th, tw = template.edges.shape
    if th >= picture.shape[0] or tw >= picture.shape[1] or min(th, tw) < 6:
        return -1.0, (0.0, 0.0)
    if float(template.edges.std()) < 1e-3:
        return -1.0, (0.0, 0.0)
    found = cv2.matchTemplate(picture, template.edges, cv2.TM_CCOEFF_NORMED, mask=template.mask)
    # A window with (almost) no edges (a plain wall, the padding) correlates with nothing.
    energy = cv2.boxFilter(picture, -1, (tw, th), anchor=(0, 0), normalize=True)
    found[energy[: found.shape[0], : found.shape[1]] < 0.01] = -1.0
    found = np.nan_to_num(found, nan=-1.0, posinf=-1.0, neginf=-1.0)
    _, best, _, (x, y) = cv2.minMaxLoc(found)
    return float(best), (x + template.offset[0], y + template.offset[1])


class OutlineModel:
    """The product's edges, ready to be searched for; templates are kept between pictures."""

    def __init__(self, rgb: NDArray[np.uint8], mask: NDArray[np.uint8]) -> None:
        self.rgb, self.mask = rgb, mask
        self._templates: dict[tuple[float, float], _Template] = {}

    def template(self, scale: float, turn: float) -> _Template:
        """The product's edges at `scale` (of its own size) and `turn` degrees."""
        key = (round(scale, 4), turn)
        if key not in self._templates:
            self._templates[key] = _Template(self.rgb, self.mask, scale, turn)
        return self._templates[key]

    def find(self, rgb: NDArray[np.uint8], picture_scale: float) -> OutlineMatch | None:
        """Where the product sits in `rgb`; None when no outline fits well enough.

        `picture_scale` maps `rgb`'s pixels to the picture the caller measures in.
        """
        long_side = max(self.mask.shape)
        coarse, coarse_scale = _shrunk(rgb, _COARSE_SIDE)
        coarse_edges, pad = _padded(edge_map(coarse))
        picture_side = max(coarse.shape[:2])
        best = (-1.0, 0.0, 0.0, (0.0, 0.0))
        for share in _SHARES:
            scale = share * picture_side / long_side
            for turn in _TURNS:
                score, centre = _peak(coarse_edges, self.template(scale, turn))
                if score > best[0]:
                    best = (score, scale, turn, centre)
        if best[0] < _COARSE_FOUND_AT:
            return None
        _, scale, turn, (x, y) = best
        fine, fine_scale = _shrunk(rgb, _FINE_SIDE)
        factor = fine_scale / coarse_scale
        fine_edges, fine_pad = _padded(edge_map(fine))
        start = ((x - pad) * factor + fine_pad, (y - pad) * factor + fine_pad)
        found = self._refine(fine_edges, scale * factor, turn, start)
        if found is None or found[0] < FOUND_AT:
            return None
        score, scale, turn, (x, y) = found
        centre = (x - fine_pad, y - fine_pad)
        to_picture = picture_scale / fine_scale
        matrix = _similarity(
            scale * to_picture,
            turn,
            (centre[0] * to_picture, centre[1] * to_picture),
            (self.mask.shape[1], self.mask.shape[0]),
        )
        return OutlineMatch(np.asarray(matrix, np.float64), score)

    def _refine(
        self, edges: NDArray[np.float32], scale: float, turn: float, centre: tuple[float, float]
    ) -> tuple[float, float, float, tuple[float, float]] | None:
        # Around the coarse peak only: a window a little larger than the product.
        best: tuple[float, float, float, tuple[float, float]] | None = None
        for factor in (0.92, 0.96, 1.0, 1.04, 1.08):
            for delta in (-4.0, 0.0, 4.0):
                template = _Template(self.rgb, self.mask, scale * factor, turn + delta)
                th, tw = template.edges.shape
                x0 = max(0, round(centre[0] - tw / 2 - 0.08 * tw - 6))
                y0 = max(0, round(centre[1] - th / 2 - 0.08 * th - 6))
                x1 = min(edges.shape[1], round(centre[0] + tw / 2 + 0.08 * tw + 6))
                y1 = min(edges.shape[0], round(centre[1] + th / 2 + 0.08 * th + 6))
                window = edges[y0:y1, x0:x1]
                if window.shape[0] <= th or window.shape[1] <= tw:
                    continue
                score, (x, y) = _peak(np.ascontiguousarray(window), template)
                if best is None or score > best[0]:
                    best = (score, scale * factor, turn + delta, (x + x0, y + y0))
        return best
