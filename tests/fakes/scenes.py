"""What the fake Google models "draw": the sent product pasted into the sent person photo.

A generative model's answer is replaced by a plain composition of the request's own photos,
so the product-fidelity check has something real to find: the product intact (scaled, turned
a little), the product with its label repainted, the whole product in new colours, or no
product at all.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

ProductState = Literal["intact", "repainted", "recoloured", "absent"]


def _decode(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as picture:
        picture.load()
        return picture.convert("RGBA")


def _cut_out(product: Image.Image) -> Image.Image:
    """The product with its plain background made transparent (its own alpha if it has one)."""
    pixels = np.asarray(product).copy()
    if np.count_nonzero(pixels[:, :, 3] < 250) > 0.01 * pixels[:, :, 3].size:
        return product
    rgb = pixels[:, :, :3].astype(np.int16)
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    background = np.median(border, axis=0)
    pixels[:, :, 3] = np.where(np.abs(rgb - background).max(axis=2) > 24, 255, 0)
    return Image.fromarray(pixels).crop(Image.fromarray(pixels[:, :, 3]).getbbox())


def _repaint(product: Image.Image) -> Image.Image:
    """The same product with its label redone, as a drifting model does: new colours, new marks."""
    pixels = np.asarray(product).copy()
    h, w = pixels.shape[:2]
    top, bottom = int(h * 0.38), int(h * 0.68)
    band = pixels[top:bottom, :, :3]
    pixels[top:bottom, :, :3] = band[:, :, [2, 0, 1]]  # the label's colours swapped around
    changed = Image.fromarray(pixels)
    draw = ImageDraw.Draw(changed)
    for i, y in enumerate(range(top + 8, bottom - 12, 18)):
        draw.rectangle(
            (w // 4 + 6 * (i % 3), y, w // 4 + w // 3 + 9 * (i % 2), y + 7), fill=(20, 20, 20)
        )
    changed.putalpha(Image.fromarray(pixels[:, :, 3]))
    return changed


def _recolour(product: Image.Image) -> Image.Image:
    """The same product in other colours (its hue turned a third of the way round)."""
    pixels = np.asarray(product).copy()
    hsv = np.asarray(Image.fromarray(pixels[:, :, :3]).convert("HSV")).copy()
    hsv[:, :, 0] = (hsv[:, :, 0].astype(np.int16) + 85) % 256
    pixels[:, :, :3] = np.asarray(Image.fromarray(hsv, mode="HSV").convert("RGB"))
    return Image.fromarray(pixels)


def paste_product(
    person: bytes, product: bytes, size: tuple[int, int], state: ProductState = "intact"
) -> NDArray[np.uint8]:
    """RGB pixels of `size`: the person photo covering it, the product held in front."""
    canvas = _decode(person).convert("RGB")
    scale = max(size[0] / canvas.width, size[1] / canvas.height)
    canvas = canvas.resize((round(canvas.width * scale), round(canvas.height * scale)))
    left, top = (canvas.width - size[0]) // 2, (canvas.height - size[1]) // 2
    canvas = canvas.crop((left, top, left + size[0], top + size[1]))
    if state != "absent":
        item = _cut_out(_decode(product))
        if state == "repainted":
            item = _repaint(item)
        elif state == "recoloured":
            item = _recolour(item)
        fit = 0.42 * min(size[0] / item.width, size[1] / item.height) * 1.6
        fit = min(fit, 0.55 * size[0] / item.width, 0.6 * size[1] / item.height)
        item = item.resize((max(1, round(item.width * fit)), max(1, round(item.height * fit))))
        item = item.rotate(7, resample=Image.Resampling.BICUBIC, expand=True)
        at = (int(size[0] * 0.52 - item.width / 2), int(size[1] * 0.58 - item.height / 2))
        canvas.paste(item, at, item)
    return np.asarray(canvas, dtype=np.uint8)


def clip_from_image(
    image: bytes, size: tuple[int, int], *, seconds: float = 1.5, fps: int = 8, blank: bool = False
) -> bytes:
    """An H.264/AAC MP4 of `size` slowly panning over `image` (or a blank wall when `blank`)."""
    import tempfile

    import av

    from tests.fakes.media import write_tone

    base = _decode(image).convert("RGB")
    scale = 1.04 * max(size[0] / base.width, size[1] / base.height)
    wide = np.asarray(base.resize((round(base.width * scale), round(base.height * scale))))
    frames = int(seconds * fps)
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        with av.open(file.name, mode="w", format="mp4") as out:
            video = out.add_stream("libx264", rate=fps)
            video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
            video.options = {"preset": "ultrafast"}
            sound = out.add_stream("aac", rate=48000)
            spare_x, spare_y = wide.shape[1] - size[0], wide.shape[0] - size[1]
            for index in range(frames):
                step = index / max(1, frames - 1)
                left, top = round(spare_x * step), spare_y // 2
                pixels = wide[top : top + size[1], left : left + size[0]]
                if blank:
                    pixels = np.full_like(pixels, 128)
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
                frame.pts = index
                out.mux(video.encode(frame))
            out.mux(video.encode(None))
            write_tone(out, sound, seconds)
        return file.read()
