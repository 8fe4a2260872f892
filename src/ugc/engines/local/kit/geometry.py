"""Axis-aligned boxes shared by face finding, framing, placement and the video timeline."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in pixels: top-left corner, width and height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        """Vertical centre."""
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        """Right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """Bottom edge."""
        return self.y + self.h

    @property
    def area(self) -> float:
        """Area in square pixels."""
        return self.w * self.h

    def scaled(self, factor: float) -> Box:
        """The box with every coordinate multiplied by factor (a change of resolution)."""
        return Box(self.x * factor, self.y * factor, self.w * factor, self.h * factor)

    def moved(self, dx: float, dy: float) -> Box:
        """The box shifted by (dx, dy)."""
        return Box(self.x + dx, self.y + dy, self.w, self.h)

    def grown(self, fx: float, fy: float | None = None) -> Box:
        """The box grown around its centre by a fraction of its size on each side."""
        fy = fx if fy is None else fy
        return Box(
            self.x - self.w * fx, self.y - self.h * fy, self.w * (1 + 2 * fx), self.h * (1 + 2 * fy)
        )

    def intersection(self, other: Box) -> float:
        """Area shared with another box."""
        w = min(self.right, other.right) - max(self.x, other.x)
        h = min(self.bottom, other.bottom) - max(self.y, other.y)
        return max(0.0, w) * max(0.0, h)

    def as_list(self) -> list[float]:
        """[x, y, w, h], for JSON."""
        return [self.x, self.y, self.w, self.h]

    @classmethod
    def from_list(cls, values: list[float]) -> Box:
        """Inverse of as_list."""
        x, y, w, h = (float(v) for v in values)
        return cls(x, y, w, h)
