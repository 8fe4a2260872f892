"""Does the ad still show the product as photographed? A local, deterministic measure.

The product is cut out of its photo (its alpha, or a key on its plain background), SIFT
features of the cut-out are matched in the ad, and a RANSAC homography keeps only matches
that agree on one placement (scale, rotation and perspective invariant). The ad is then
warped back onto the cut-out and compared cell by cell: colour (Lab, after evening out the
overall brightness, since a new scene lights the product differently) and structure
(correlation of the edges, which a rewritten label or a new logo breaks). Pure functions:
no database, no network; CPU only, so callers run them in a thread.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ugc.projects.outline_match import FOUND_AT, OutlineMatch, OutlineModel

Verdict = Literal["intact", "changed", "missing"]
VERDICTS: tuple[Verdict, ...] = ("intact", "changed", "missing")

INTACT_AT = 0.75  # score from which the product counts as unchanged
CHANGED_AT = 0.35  # below this, what was found is not the product (or nothing was)
MIN_INLIERS = 8

_PRODUCT_SIDE = 400  # working sizes: enough detail for a label, fast on one core
_RESULT_SIDE = 800
_GRID = 4
_OCCLUSION = 0.15
_FEW_FEATURES = 120  # fewer keypoints than this on the cut-out: a low-texture product
_TINT = 6.0  # the most overall shift of a product's colour (Lab a, b) put down to light
_RATIO = 0.9  # Lowe's ratio test, loosened (see _unique_matches)
_local = threading.local()  # OpenCV's detectors are not safe to share between threads


@dataclass(frozen=True, slots=True)
class Fidelity:
    """How faithfully one picture shows the product."""

    score: float  # 0..1
    verdict: Verdict
    inliers: int = 0


@dataclass(frozen=True, slots=True)
class ProductModel:
    """The product's cut-out and its features, computed once per check."""

    rgb: NDArray[np.uint8]
    mask: NDArray[np.uint8]
    keypoints: tuple[cv2.KeyPoint, ...]
    descriptors: NDArray[np.float32] | None
    cut: bool  # False when the photo's background was too busy to cut the product out
    soft: NDArray[np.float32]  # its colours (Lab), a little blurred, as ads are compared
    edges: NDArray[np.float32]  # its lightness edges
    outline: OutlineModel | None = None  # for a product with too little texture for features


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the product sits in a picture (product -> picture), and how sure the finding is.

    `points` and `placed` are the agreeing feature matches (product and picture positions);
    a product found by its outline has none.
    """

    matrix: NDArray[np.float64]
    evidence: float  # 0..1
    points: NDArray[np.float32] | None = None
    placed: NDArray[np.float32] | None = None

    @property
    def inliers(self) -> int:
        return 0 if self.points is None else len(self.points)


def verdict_for(score: float) -> Verdict:
    """The verdict a score stands for."""
    if score >= INTACT_AT:
        return "intact"
    return "changed" if score >= CHANGED_AT else "missing"


def _detector() -> Any:
    if not hasattr(_local, "sift"):
        _local.sift = cv2.SIFT_create(nfeatures=1500)  # type: ignore[attr-defined]
    return _local.sift


def _decode(data: bytes) -> tuple[NDArray[np.uint8], NDArray[np.uint8] | None]:
    """RGB pixels, and the alpha channel when the picture has a meaningful one."""
    with Image.open(io.BytesIO(data)) as picture:
        picture.load()
        has_alpha = picture.mode in ("RGBA", "LA") or "transparency" in picture.info
        rgba = np.asarray(picture.convert("RGBA"))
    alpha = rgba[:, :, 3] if has_alpha and np.count_nonzero(rgba[:, :, 3] < 250) else None
    return np.ascontiguousarray(rgba[:, :, :3]), alpha


def shrink(image: NDArray[np.uint8], side: int) -> NDArray[np.uint8]:
    scale = side / max(image.shape[:2])
    if scale >= 1:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _key_mask(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The product's mask on a plain background: what differs from the border's colour."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    ring = max(2, min(rgb.shape[:2]) // 50)
    border = np.concatenate(
        [
            lab[:ring].reshape(-1, 3),
            lab[-ring:].reshape(-1, 3),
            lab[:, :ring].reshape(-1, 3),
            lab[:, -ring:].reshape(-1, 3),
        ]
    )
    background = np.median(border, axis=0)
    distance = np.linalg.norm(lab - background, axis=2)
    if np.percentile(np.linalg.norm(border - background, axis=1), 90) > 20:
        return np.full(rgb.shape[:2], 255, np.uint8)  # a busy background: use the whole photo
    mask = (distance > 18).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    flood = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    cv2.floodFill(flood, None, (0, 0), 255)
    inside = np.asarray(cv2.bitwise_not(flood)[1:-1, 1:-1], dtype=np.uint8)
    return np.bitwise_or(np.asarray(mask, dtype=np.uint8), inside)


def product_model(product: bytes) -> ProductModel:
    """Cut the product out of its photo and find its features."""
    rgb, alpha = _decode(product)
    mask = (alpha > 127).astype(np.uint8) * 255 if alpha is not None else _key_mask(rgb)
    if np.count_nonzero(mask) < 0.01 * mask.size:
        mask = np.full(rgb.shape[:2], 255, np.uint8)
    cut = bool(np.count_nonzero(mask) < 0.97 * mask.size)
    ys, xs = np.nonzero(mask)
    pad = max(2, round(0.02 * max(rgb.shape[:2])))
    y0, y1 = max(0, ys.min() - pad), min(rgb.shape[0], ys.max() + 1 + pad)
    x0, x1 = max(0, xs.min() - pad), min(rgb.shape[1], xs.max() + 1 + pad)
    rgb, mask = (
        shrink(rgb[y0:y1, x0:x1], _PRODUCT_SIDE),
        shrink(mask[y0:y1, x0:x1], _PRODUCT_SIDE),
    )
    mask = ((mask > 127) * 255).astype(np.uint8)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    detect_mask = cv2.dilate(mask, np.ones((5, 5), np.uint8))
    keypoints, descriptors = _detector().detectAndCompute(gray, detect_mask)
    found = None if descriptors is None else np.asarray(descriptors, dtype=np.float32)
    # A plain product gives too few features to be sure of finding it: its outline can.
    outline = OutlineModel(rgb, mask) if cut and len(keypoints) < _FEW_FEATURES else None
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    soft = np.asarray(cv2.GaussianBlur(lab, (0, 0), _softening(mask.shape)), np.float32)
    return ProductModel(
        np.ascontiguousarray(rgb),
        mask,
        tuple(keypoints),
        found,
        cut,
        soft,
        _edges(lab[:, :, 0]),
        outline,
    )


def _homography(
    model: ProductModel, gray: NDArray[np.uint8]
) -> tuple[NDArray[np.float64], NDArray[np.float32], NDArray[np.float32]] | None:
    """Where the product sits in `gray` (product -> picture), and the matches that agree
    (their product and picture positions)."""
    if model.descriptors is None or len(model.keypoints) < MIN_INLIERS:
        return None
    keypoints, descriptors = _detector().detectAndCompute(gray, None)
    if descriptors is None or len(keypoints) < MIN_INLIERS:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(model.descriptors, descriptors, k=2)
    good = _unique_matches(pairs)
    if len(good) < MIN_INLIERS:
        return None
    source = np.array([model.keypoints[m.queryIdx].pt for m in good], np.float32)
    target = np.array([keypoints[m.trainIdx].pt for m in good], np.float32)
    return fit_homography(model, source, target, gray.shape)


def fit_homography(
    model: ProductModel,
    source: NDArray[np.float32],
    target: NDArray[np.float32],
    shape: tuple[int, ...],
) -> tuple[NDArray[np.float64], NDArray[np.float32], NDArray[np.float32]] | None:
    """The placement most of the matched points (product -> picture) agree on, if plausible."""
    if len(source) < MIN_INLIERS:
        return None
    threshold = max(3.0, 0.008 * max(shape[:2]))
    cv2.setRNGSeed(7)  # RANSAC samples at random: the same pictures must get the same score
    found, inliers = cv2.findHomography(
        source.reshape(-1, 1, 2),
        target.reshape(-1, 1, 2),
        cv2.USAC_MAGSAC,
        threshold,
        maxIters=4000,
        confidence=0.999,
    )
    if found is None or inliers is None:
        return None
    matrix = np.asarray(found, dtype=np.float64)
    agree = inliers.ravel() > 0
    if int(agree.sum()) < MIN_INLIERS or not _plausible(matrix, model.mask.shape, shape):
        return None
    return matrix, source[agree], target[agree]


def _unique_matches(pairs: Any) -> list[Any]:
    """Matches passing a loose ratio test, each point of the picture used at most once.

    The test is loose because a product's repeated corners look alike; using each picture
    point once keeps RANSAC from "explaining" many matches by squeezing them onto one spot.
    """
    best: dict[int, Any] = {}
    for pair in pairs:
        if len(pair) < 2 or pair[0].distance >= _RATIO * pair[1].distance:
            continue
        match = pair[0]
        if match.trainIdx not in best or match.distance < best[match.trainIdx].distance:
            best[match.trainIdx] = match
    return list(best.values())


def _plausible(
    matrix: NDArray[np.float64], source: tuple[int, ...], target: tuple[int, ...]
) -> bool:
    """A placement a photo could show: convex, not folded, not absurdly small or stretched."""
    h, w = source[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32).reshape(-1, 1, 2)
    placed = cv2.perspectiveTransform(corners, matrix).reshape(-1, 2)
    if not cv2.isContourConvex(placed.astype(np.float32)):
        return False
    area = cv2.contourArea(placed.astype(np.float32))
    if area < 0.002 * target[0] * target[1]:
        return False
    sides = np.linalg.norm(placed - np.roll(placed, 1, axis=0), axis=1)
    expected = np.array([h, w, h, w], dtype=np.float64) / np.sqrt(h * w)
    stretch = (sides / np.sqrt(area)) / expected
    return bool(stretch.max() / max(stretch.min(), 1e-6) < 3.0)


def _cells(mask: NDArray[np.bool_]) -> list[tuple[slice, slice]]:
    """Grid cells over the cut-out that hold enough of the product to judge."""
    h, w = mask.shape
    cells = []
    for row in range(_GRID):
        for col in range(_GRID):
            cell = (
                slice(row * h // _GRID, (row + 1) * h // _GRID),
                slice(col * w // _GRID, (col + 1) * w // _GRID),
            )
            if mask[cell].mean() > 0.35:
                cells.append(cell)
    return cells


def _hull(points: NDArray[np.float32], shape: tuple[int, ...]) -> NDArray[np.bool_]:
    """The convex hull of matched points, grown a little: where the product was recognised."""
    hull = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(points.astype(np.int32)), 255)
    grow = max(3, round(0.04 * max(shape[:2])))
    return np.asarray(cv2.dilate(hull, np.ones((grow, grow), np.uint8)) > 0)


def _agreement(model: ProductModel, back: NDArray[np.uint8], mask: NDArray[np.bool_]) -> float:
    """How well the product's cells match the warped-back ad in colour and edges (0..1).

    The worst cells are left out, up to `_OCCLUSION` of them: a hand or a caption may cover
    part of a product that is otherwise intact; a changed label spans more than that.
    """
    cells = _cells(mask)
    if not cells:
        return 0.0
    lab_r = cv2.cvtColor(back, cv2.COLOR_RGB2LAB).astype(np.float32)
    # Colour is compared pixel by pixel (a little blurred, so a pixel's misregistration at
    # a colour boundary costs little), then as each cell's median: a cell of several
    # colours keeps its verdict however its pixels split between them.
    soft_p = model.soft
    soft_r = cv2.GaussianBlur(lab_r, (0, 0), _softening(mask.shape))
    # A new scene lights the product differently: even out the overall brightness, and a
    # slight overall tint (warmer or cooler light), before comparing. The typical
    # difference of its pixels, not of its medians: a product of two tones would split.
    difference = soft_p - soft_r
    cast = np.median(difference[mask], axis=0)
    cast[1:] = np.clip(cast[1:], -_TINT, _TINT)
    difference -= cast
    distance = np.sqrt(np.einsum("ijk,ijk->ij", difference, difference))
    # An even shift of lightness leaves its edges as they are.
    edges_p, edges_r = model.edges, _edges(lab_r[:, :, 0])
    scores = []
    for cell in cells:
        inside = mask[cell]
        colour = float(np.median(distance[cell][inside]))
        structure = _correlation(edges_p[cell][inside], edges_r[cell][inside])
        scores.append(0.5 * float(np.clip(1.5 - colour / 16.0, 0, 1)) + 0.5 * structure)
    kept = sorted(scores, reverse=True)[: max(1, round(len(scores) * (1 - _OCCLUSION)))]
    return float(np.mean(kept))


def _softening(shape: tuple[int, ...]) -> float:
    return max(1.0, 0.006 * max(shape[:2]))


def _edges(lightness: NDArray[np.float32]) -> NDArray[np.float32]:
    blurred = cv2.GaussianBlur(lightness, (0, 0), 1.5)
    gx = cv2.Sobel(blurred, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(blurred, cv2.CV_32F, 0, 1)
    return np.asarray(cv2.magnitude(gx, gy), dtype=np.float32)


def _correlation(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    """Edge agreement in 0..1; two featureless patches agree."""
    if a.std() < 1.0 and b.std() < 1.0:
        return 1.0
    if a.std() < 1.0 or b.std() < 1.0:
        return 0.0
    r = float(np.corrcoef(a, b)[0, 1])
    return float(np.clip((r - 0.1) / 0.5, 0, 1))


def feature_evidence(model: ProductModel, inliers: int) -> float:
    """How sure `inliers` agreeing feature matches make the finding (0..1)."""
    return min(1.0, inliers / max(12.0, 0.12 * len(model.keypoints)))


def outline_placement(model: ProductModel, match: OutlineMatch | None) -> Placement | None:
    """A product found by its outline, as a placement."""
    if match is None:
        return None
    evidence = float(np.clip((match.correlation - FOUND_AT) / (1 - FOUND_AT) * 2, 0, 1))
    return Placement(match.matrix, evidence)


def find_product(
    model: ProductModel, rgb: NDArray[np.uint8], picture: NDArray[np.uint8]
) -> Placement | None:
    """Where the product sits in `picture` (`rgb` shrunk): by its features, else its outline."""
    gray = np.asarray(cv2.cvtColor(picture, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    found = _homography(model, gray)
    if found is not None:
        matrix, points, placed = found
        return Placement(matrix, feature_evidence(model, len(points)), points, placed)
    if model.outline is not None:
        return outline_placement(model, model.outline.find(rgb, picture.shape[1] / rgb.shape[1]))
    return None


def judge(model: ProductModel, picture: NDArray[np.uint8], placement: Placement) -> Fidelity:
    """Fidelity of the product where `placement` puts it in `picture`: its visible part."""
    h, w = model.mask.shape
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    matrix = placement.matrix
    back = cv2.warpPerspective(picture, matrix, (w, h), flags=flags)
    seen = (
        cv2.warpPerspective(np.full(picture.shape[:2], 255, np.uint8), matrix, (w, h), flags=flags)
        > 0
    )
    region = model.mask > 0
    if not model.cut and placement.points is not None:
        # No cut-out (a busy photo): judge only the region the matches cover, the product.
        region &= _hull(placement.points, model.mask.shape)
    agreement = _agreement(model, np.asarray(back), seen & region)
    score = round(0.25 * placement.evidence + 0.75 * agreement, 3)
    return Fidelity(score, verdict_for(score), placement.inliers)


def check_frame(model: ProductModel, rgb: NDArray[np.uint8], side: int = _RESULT_SIDE) -> Fidelity:
    """Fidelity of one decoded picture (RGB) against a prepared product, at `side` pixels."""
    picture = shrink(rgb, side)
    placement = find_product(model, rgb, picture)
    return Fidelity(0.0, "missing") if placement is None else judge(model, picture, placement)


def check_image(product: bytes | ProductModel, image: bytes | NDArray[np.uint8]) -> Fidelity:
    """How faithfully an ad image (encoded, or its RGB pixels) shows the product (its photo
    encoded, or the model made of it once for several checks)."""
    model = product_model(product) if isinstance(product, bytes) else product
    rgb = _decode(image)[0] if isinstance(image, bytes) else image
    return check_frame(model, rgb)
