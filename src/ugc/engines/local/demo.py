"""Sample ads from photos that ship with packages: `python -m ugc.engines.local.demo`.

Writes an image and a video per sample to ./var/demo (or the folder given as the first
argument), and a contact sheet of every ad beside stills of its video, so anyone can see
what the offline engine makes without any setup. People come from scikit-image (astronaut,
camera) and, when installed, Debian's opencv-doc samples (people with hands in shot).
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np
import skimage.data
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from ugc.config import Settings
from ugc.engines.base import AspectRatio, ImageRequest, VideoRequest
from ugc.engines.local.image import LocalImageEngine
from ugc.engines.local.image.scene import scene_composition
from ugc.engines.local.kit.fonts import load_font
from ugc.engines.local.video import LocalVideoEngine

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
# (file stem, person, product, aspect ratio, name, description, prompt)
SAMPLES: tuple[tuple[str, str, str, AspectRatio, str, str, str], ...] = (
    ("astronaut-espresso", "astronaut", "coffee", "9:16", "Morning Roast",
     "Single-origin espresso, roasted every week.", ""),
    ("messi-serum", "messi5.jpg", "serum", "9:16", "Glow Serum",
     "Vitamin C serum. Daily.", "my glow-up secret"),
    ("basketball-sticker", "basketball1.png", "logo", "9:16", "Snake Sticker",
     "Die-cut vinyl sticker. Waterproof.", ""),
    ("chessboard-holder-box", "left01.jpg", "box.png", "9:16", "Crunch Flakes",
     "Breakfast cereal.", "https://example.com/crunch-flakes-launch-offer"),
    ("camera-espresso", "camera", "coffee", "1:1", "Morning Roast",
     "Single-origin espresso.", ""),
    ("astronaut-espresso-wide", "astronaut", "coffee", "16:9", "Morning Roast",
     "Single-origin espresso.", "my 6am launch fuel"),
)  # fmt: skip
STILLS = (0.4, 2.6, 4.6, 7.6)


def _png(pixels: NDArray[np.uint8]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def serum_packshot() -> NDArray[np.uint8]:
    """A product photo on a white studio background, with a label to read."""
    photo = np.full((900, 700, 3), 247, np.uint8)
    cv2.rectangle(photo, (250, 230), (450, 820), (38, 84, 150), -1)
    cv2.rectangle(photo, (300, 110), (400, 230), (25, 25, 25), -1)
    cv2.rectangle(photo, (268, 400), (432, 690), (250, 246, 238), -1)
    for row, word in enumerate(("GLOW", "SERUM", "30 ml", "C+E")):
        cv2.putText(photo, word, (278, 450 + row * 62), cv2.FONT_HERSHEY_DUPLEX, 1.05,
                    (20, 20, 20), 2, cv2.LINE_AA)  # fmt: skip
    cv2.circle(photo, (350, 330), 38, (240, 190, 60), -1)
    cv2.line(photo, (280, 705), (420, 705), (180, 60, 60), 4)
    return photo


def _photo(name: str) -> NDArray[np.uint8] | None:
    if name == "serum":
        return serum_packshot()
    if "." not in name:
        return np.asarray(getattr(skimage.data, name)(), dtype=np.uint8)
    bgr = cv2.imread(str(OPENCV_DATA / name))
    if bgr is None:
        return None
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def video_stills(mp4: bytes, times: tuple[float, ...]) -> list[NDArray[np.uint8]]:
    """Frames of an MP4 at the given times (seconds), as RGB."""
    stills: list[NDArray[np.uint8]] = []
    with av.open(io.BytesIO(mp4), mode="r") as container:
        stream = container.streams.video[0]
        wanted = list(times)
        for frame in container.decode(stream):
            if not wanted:
                break
            if frame.time is not None and frame.time >= wanted[0]:
                stills.append(np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8))
                wanted.pop(0)
    return stills


def contact_sheet(
    rows: list[tuple[str, NDArray[np.uint8], list[NDArray[np.uint8]]]],
) -> Image.Image:
    """One row per ad: the image, then its video stills, each scaled to one height."""
    height, gap, label = 480, 12, 34
    tiles = []
    for title, ad, stills in rows:
        images = [Image.fromarray(p) for p in (ad, *stills)]
        scaled = [im.resize((round(im.width * height / im.height), height)) for im in images]
        tiles.append((title, scaled))
    width = max(sum(im.width + gap for im in row) for _, row in tiles) + gap
    sheet = Image.new("RGB", (width, len(tiles) * (height + label + gap) + gap), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    font = load_font(20, bold=False)
    y = gap
    for title, row in tiles:
        draw.text((gap, y + 4), title, font=font, fill=(235, 235, 235))
        x = gap
        for image in row:
            sheet.paste(image, (x, y + label))
            x += image.width + gap
        y += height + label + gap
    return sheet


async def _one(
    folder: Path, sample: tuple[str, str, str, AspectRatio, str, str, str], settings: Settings
) -> tuple[str, NDArray[np.uint8], list[NDArray[np.uint8]]] | None:
    stem, person_name, product_name, aspect, name, description, prompt = sample
    person, product = _photo(person_name), _photo(product_name)
    if person is None or product is None:
        print(f"{stem}: skipped ({person_name} or {product_name} is not installed)")
        return None
    started = time.perf_counter()
    image = await LocalImageEngine(settings).compose(
        ImageRequest(person=_png(person), product=_png(product), product_name=name,
                     product_description=description, prompt=prompt, aspect_ratio=aspect),
        lambda stage, fraction: None,
    )  # fmt: skip
    clip = await LocalVideoEngine(settings).animate(
        VideoRequest(image=image.png, scene=image.scene, product_name=name,
                     product_description=description, prompt=prompt, aspect_ratio=aspect),
        lambda stage, fraction: None,
    )  # fmt: skip
    (folder / f"{stem}.png").write_bytes(image.png)
    (folder / f"{stem}.mp4").write_bytes(clip.mp4)
    composition = scene_composition(image.scene) or {}
    print(f"{stem}: image + video in {time.perf_counter() - started:.1f} s, "
          f"{json.dumps({k: composition.get(k) for k in ('composition', 'hand')})}")  # fmt: skip
    ad = np.asarray(Image.open(io.BytesIO(image.png)).convert("RGB"), dtype=np.uint8)
    title = f"{stem}  ·  {composition.get('composition')}" + (
        f" ({composition['hand']} hand)" if composition.get("hand") else ""
    )
    return title, ad, video_stills(clip.mp4, STILLS)


async def write_samples(folder: Path) -> list[Path]:
    """Compose and animate every sample into folder; returns the files written."""
    settings = Settings()
    rows = []
    for sample in SAMPLES:
        row = await _one(folder, sample, settings)
        if row is not None:
            rows.append(row)
    contact_sheet(rows).save(folder / "contact-sheet.png")
    return [folder / "contact-sheet.png"]


def main() -> None:
    """Entry point: write the samples and list them."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/demo")
    folder.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(write_samples(folder)):
        print(path)


if __name__ == "__main__":
    main()
