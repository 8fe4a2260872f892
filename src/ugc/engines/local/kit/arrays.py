"""Typed views of OpenCV results (its stubs return a loose array union)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]


def u8(array: Any) -> U8:
    """The array as uint8 (no copy when it already is)."""
    return np.asarray(array, dtype=np.uint8)


def f32(array: Any) -> F32:
    """The array as float32 (no copy when it already is)."""
    return np.asarray(array, dtype=np.float32)
