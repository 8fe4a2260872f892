"""Finding a product that has too little texture for feature matching: by its edges.

A plain matte tube or a flat-colour box gives SIFT a handful of corners, not enough for a
homography, though a person sees it at once. What it does have is an outline and a few
inner edges (a cap, a fold). Both are drawn as edge maps that saturate (any clear edge
counts fully, whatever its contrast), so a product in new colours is still found where it
sits and the colour check can then call it changed; an absent product finds no such
outline. The search is a masked normalised cross-correlation of the product's edges over
scales and turns on a small copy of the picture, then refined around the best peak on a
larger one. Only the part of the product inside the picture counts: a product held up from
the frame's edge is judged by what shows. Pure functions over numpy arrays; CPU only.
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
_LEAST_SEEN = 0.6  # the share of the product that must be inside the picture to be judged
_UNSEEN_COST = 0.5  # correlation lost per share outside: a sliver at the edge fits too easily
_Best = tuple[float, float, float, tuple[float, float]]  # correlation, scale, turn, centre
_Steps = tuple[tuple[float, ...], tuple[float, ...]]  # factors of size, turns (degrees) added
# Round the coarse peak, a grid of sizes and turns; then, there or round a neighbouring
# frame's placement, finer steps of size and of turn in turn (the grid's 4% and 4 degrees
# leave edges a pixel or two off, which the cell-by-cell check sees).
_GRID_STEPS: _Steps = ((0.92, 0.96, 1.0, 1.04, 1.08), (-4.0, 0.0, 4.0))
_SETTLE_STEPS: tuple[_Steps, ...] = (
    ((0.96, 0.98, 1.02, 1.04), (0.0,)),
    ((1.0,), (-4.0, -2.0, 2.0, 4.0)),
    ((0.99, 1.01), (0.0,)),
    ((1.0,), (-1.0, 1.0)),
)
_REFINE_REACH = 0.08  # how far (of its size) the refinement looks round the coarse peak
_SEEDED_REACH = 0.2  # ...and round where a neighbouring frame saw the product


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


@dataclass(frozen=True, slots=True)
class _Edges:
    """A picture's edges with a margin round them, and where in them the picture itself is.

    A product may leave the frame (held up from its bottom edge): the margin lets it be
    placed there, and what lies beyond the frame is kept out of the correlation.
    """

    edges: NDArray[np.float32]
    pad: int
    size: tuple[int, int]  # the picture's own (height, width)


def _padded(edges: NDArray[np.float32]) -> _Edges:
    pad = round(0.2 * max(edges.shape))
    padded = cv2.copyMakeBorder(edges, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    return _Edges(np.asarray(padded, np.float32), pad, (edges.shape[0], edges.shape[1]))


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


def _peak(
    picture: _Edges, template: _Template, window: tuple[slice, slice] | None = None
) -> tuple[float, tuple[float, float]]:
    """The best correlation of `template` over `picture` (or a window of it), and where.

    Pearson's correlation over the template's mask, counting only pixels inside the
    picture: its sums are cross-correlations (TM_CCORR) of the edges and their squares with
    the template and its mask, and the template's own sums over its part inside.
    """
    window = window or (slice(0, picture.edges.shape[0]), slice(0, picture.edges.shape[1]))
    edges = picture.edges[window]
    th, tw = template.edges.shape
    if th >= edges.shape[0] or tw >= edges.shape[1] or min(th, tw) < 6:
        return -1.0, (0.0, 0.0)
    if float(template.edges.std()) < 1e-3:
        return -1.0, (0.0, 0.0)
    mask = template.mask.astype(np.float32)
    weighted = template.edges * mask

    def ccorr(image: NDArray[np.float32], kernel: NDArray[np.float32]) -> NDArray[np.float32]:
        return np.asarray(cv2.matchTemplate(image, kernel, cv2.TM_CCORR), np.float32)

    sum_p, sum_pp = ccorr(edges, mask), ccorr(edges * edges, mask)
    origin = (window[0].start or 0, window[1].start or 0)
    seen, sum_t, sum_tt = _inside_sums(
        picture, (mask, weighted, weighted * template.edges), origin, sum_p.shape
    )
    count = np.maximum(seen, 1.0)
    cov = ccorr(edges, weighted) - sum_p * sum_t / count
    var = np.maximum(sum_pp - sum_p**2 / count, 0) * np.maximum(sum_tt - sum_t**2 / count, 0)
    total = float(mask.sum())
    found = cov / np.sqrt(np.maximum(var, 1e-9)) - _UNSEEN_COST * (1 - seen / total)
    # Too little of the product in the picture to judge, or a window with (almost) no
    # edges (a plain wall, the margin): no match there.
    found[(seen < _LEAST_SEEN * total) | (var < 1e-9) | (sum_p < 0.01 * count)] = -1
    found = np.nan_to_num(found, nan=-1.0, posinf=-1.0, neginf=-1.0)
    _, best, _, (x, y) = cv2.minMaxLoc(found)
    return float(best), (x + origin[1] + template.offset[0], y + origin[0] + template.offset[1])


def _inside_sums(
    picture: _Edges,
    kernels: tuple[NDArray[np.float32], ...],
    origin: tuple[int, int],
    places: tuple[int, ...],
) -> list[NDArray[np.float32]]:
    """Each kernel's sum over its part inside the picture, wherever the correlation puts it.

    The inside is a rectangle, so each sum is four look-ups in the kernel's integral image.
    """
    height, width = picture.size
    pad = picture.pad
    th, tw = kernels[0].shape
    rows = np.arange(places[0]) + origin[0]  # the kernel's top row, in the margined picture
    cols = np.arange(places[1]) + origin[1]
    r0, r1 = np.clip(pad - rows, 0, th), np.clip(pad + height - rows, 0, th)
    c0, c1 = np.clip(pad - cols, 0, tw), np.clip(pad + width - cols, 0, tw)
    table = np.stack([cv2.integral(kernel, sdepth=cv2.CV_64F) for kernel in kernels], axis=-1)
    rows_in = table[r1] - table[r0]  # each place's rows inside, summed from the left
    inside = (rows_in[:, c1] - rows_in[:, c0]).astype(np.float32)
    return [inside[:, :, k] for k in range(len(kernels))]


class OutlineModel:
    """The product's edges, ready to be searched for; templates are kept between pictures."""

    def __init__(self, rgb: NDArray[np.uint8], mask: NDArray[np.uint8]) -> None:
        self.rgb, self.mask = rgb, mask
        self._templates: dict[tuple[float, float], _Template] = {}

    def template(self, scale: float, turn: float) -> _Template:
        """The product's edges at `scale` (of its own size) and `turn` degrees."""
        # On a grid of half a percent and half a degree, so that neighbouring frames and
        # the refinement's overlapping steps reuse what was drawn.
        key = (round(math.log(scale) / math.log(1.005)), round(turn * 2))
        if key not in self._templates:
            self._templates[key] = _Template(self.rgb, self.mask, 1.005 ** key[0], key[1] / 2)
        return self._templates[key]

    def find(self, rgb: NDArray[np.uint8], picture_scale: float) -> OutlineMatch | None:
        """Where the product sits in `rgb`; None when no outline fits well enough.

        `picture_scale` maps `rgb`'s pixels to the picture the caller measures in.
        """
        long_side = max(self.mask.shape)
        coarse, coarse_scale = _shrunk(rgb, _COARSE_SIDE)
        coarse_edges = _padded(edge_map(coarse))
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
        pad = coarse_edges.pad
        start = ((x - pad) * factor, (y - pad) * factor)
        to_fine = fine_scale / picture_scale
        return self._settle(fine, to_fine, scale * factor, turn, start, seeded=False)

    def find_near(
        self, rgb: NDArray[np.uint8], picture_scale: float, prior: NDArray[np.float64]
    ) -> OutlineMatch | None:
        """As `find`, searching only round `prior` (product -> picture), where a neighbouring
        frame showed the product: no search over the whole picture."""
        h, w = self.mask.shape
        centre, scale, turn = _pose(prior, (w / 2, h / 2))
        fine, fine_scale = _shrunk(rgb, _FINE_SIDE)
        to_fine = fine_scale / picture_scale
        start = (centre[0] * to_fine, centre[1] * to_fine)
        return self._settle(fine, to_fine, scale * to_fine, turn, start, seeded=True)

    def _settle(
        self,
        fine: NDArray[np.uint8],
        to_fine: float,
        scale: float,
        turn: float,
        start: tuple[float, float],
        *,
        seeded: bool,
    ) -> OutlineMatch | None:
        """The refined match on `fine` (picture pixels * `to_fine`), in picture pixels."""
        edges = _padded(edge_map(fine))
        pad = edges.pad
        found = self._refine(edges, scale, turn, (start[0] + pad, start[1] + pad), seeded)
        if found is None or found[0] < FOUND_AT:
            return None
        score, scale, turn, (x, y) = found
        matrix = _similarity(
            scale / to_fine,
            turn,
            ((x - pad) / to_fine, (y - pad) / to_fine),
            (self.mask.shape[1], self.mask.shape[0]),
        )
        return OutlineMatch(np.asarray(matrix, np.float64), score)

    def _refine(
        self, edges: _Edges, scale: float, turn: float, centre: tuple[float, float], seeded: bool
    ) -> _Best | None:
        """The best size, turn and place round a starting one, in ever finer steps."""
        best: _Best = (-1.0, scale, turn, centre)
        if seeded:
            # Far to look: place the product at its neighbour's size and turn first (each
            # template's correlation over the whole window is what costs), then settle.
            template = self.template(scale, turn)
            window = _window(edges.edges.shape, template.edges.shape, centre, _SEEDED_REACH)
            if window is None:
                return None
            score, centre = _peak(edges, template, window)
            best = (score, template.scale, template.turn, centre)
        else:
            best = self._step(edges, best, _GRID_STEPS, _REFINE_REACH)
        for steps in _SETTLE_STEPS:
            best = self._step(edges, best, steps, 0.0)
        return best if best[0] > -1.0 else None

    def _step(self, edges: _Edges, best: _Best, steps: _Steps, reach: float) -> _Best:
        _, scale, turn, centre = best
        factors, deltas = steps
        for factor in factors:
            for delta in deltas:
                template = self.template(scale * factor, turn + delta)
                window = _window(edges.edges.shape, template.edges.shape, centre, reach)
                if window is None:
                    continue
                score, found = _peak(edges, template, window)
                if score > best[0]:
                    best = (score, template.scale, template.turn, found)
        return best


def _window(
    shape: tuple[int, ...], size: tuple[int, ...], centre: tuple[float, float], reach: float
) -> tuple[slice, slice] | None:
    """The part of a picture of `shape` round `centre` where a template of `size` may sit."""
    th, tw = size[:2]
    x0 = max(0, round(centre[0] - tw / 2 - reach * tw - 6))
    y0 = max(0, round(centre[1] - th / 2 - reach * th - 6))
    x1 = min(shape[1], round(centre[0] + tw / 2 + reach * tw + 6))
    y1 = min(shape[0], round(centre[1] + th / 2 + reach * th + 6))
    if y1 - y0 <= th or x1 - x0 <= tw:
        return None
    return slice(y0, y1), slice(x0, x1)


def _pose(
    matrix: NDArray[np.float64], centre: tuple[float, float]
) -> tuple[tuple[float, float], float, float]:
    """Where `matrix` puts the product's `centre`, and its scale and turn (degrees) there."""
    points = np.array([[centre, (centre[0] + 1, centre[1]), (centre[0], centre[1] + 1)]])
    placed = cv2.perspectiveTransform(points.astype(np.float64), matrix)[0]
    across, down = placed[1] - placed[0], placed[2] - placed[0]
    scale = math.sqrt(abs(float(across[0] * down[1] - across[1] * down[0])))
    # getRotationMatrix2D turns counter-clockwise on screen: x maps to (cos, -sin).
    turn = math.degrees(math.atan2(-float(across[1]), float(across[0])))
    return (float(placed[0][0]), float(placed[0][1])), scale, turn
