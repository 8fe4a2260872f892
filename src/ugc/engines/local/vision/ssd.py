"""Single-shot detector decoding shared by the face, palm and pose detectors.

The constants come from MediaPipe's graphs (SsdAnchorsCalculator and
TensorsToDetectionsCalculator options); anchors have a fixed size of 1, so the model's box
and keypoint outputs are offsets from the anchor centres in input pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Detection:
    """One detection in the model input's 0..1 coordinates."""

    score: float
    box: NDArray[np.float32]  # x_center, y_center, width, height
    keypoints: NDArray[np.float32]  # (K, 2)

    def corners(self) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1."""
        x, y, w, h = (float(v) for v in self.box)
        return x - w / 2, y - h / 2, x + w / 2, y + h / 2


@cache
def anchors(input_size: int, strides: tuple[int, ...]) -> NDArray[np.float32]:
    """(N, 2) anchor centres: two per cell (aspect 1 and its interpolated twin) per layer."""
    centres: list[NDArray[np.float32]] = []
    layer = 0
    while layer < len(strides):
        # Layers with the same stride share the grid; their anchors are interleaved per cell.
        same = 0
        while layer + same < len(strides) and strides[layer + same] == strides[layer]:
            same += 1
        cells = -(-input_size // strides[layer])
        grid = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        ys, xs = np.meshgrid(grid, grid, indexing="ij")
        cell = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(cell, 2 * same, axis=0))
        layer += same
    return np.concatenate(centres).astype(np.float32)


def decode(
    boxes: NDArray[np.float32],
    scores: NDArray[np.float32],
    input_size: int,
    strides: tuple[int, ...],
    min_score: float,
) -> list[Detection]:
    """Raw (N, 4 + 2K) boxes and (N,) logits to detections above `min_score`."""
    centre = anchors(input_size, strides)
    logits = np.clip(scores.reshape(-1).astype(np.float64), -100.0, 100.0)
    probability = 1.0 / (1.0 + np.exp(-logits))
    keep = np.flatnonzero(probability >= min_score)
    found = []
    for index in keep:
        raw = boxes[index] / np.float32(input_size)
        box = raw[:4].copy()
        box[:2] += centre[index]
        keypoints = raw[4:].reshape(-1, 2) + centre[index]
        found.append(Detection(float(probability[index]), box, keypoints.astype(np.float32)))
    return found


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def weighted_nms(detections: list[Detection], threshold: float = 0.3) -> list[Detection]:
    """MediaPipe's weighted non-maximum suppression: overlapping boxes are averaged."""
    remaining = sorted(detections, key=lambda d: d.score, reverse=True)
    merged: list[Detection] = []
    while remaining:
        top = remaining[0]
        top_corners = top.corners()
        group = [d for d in remaining if _iou(top_corners, d.corners()) > threshold]
        rest = [d for d in remaining if _iou(top_corners, d.corners()) <= threshold]
        weights = np.array([d.score for d in group], dtype=np.float32)
        weights /= weights.sum()
        box = np.sum([w * d.box for w, d in zip(weights, group, strict=True)], axis=0)
        points = np.sum([w * d.keypoints for w, d in zip(weights, group, strict=True)], axis=0)
        merged.append(Detection(top.score, box.astype(np.float32), points.astype(np.float32)))
        remaining = rest
    return merged
