"""The video product check: plain products partly out of frame, and frames decoded no more
than needed but exactly as a full decode would show them."""

from __future__ import annotations

import asyncio
import io
import tempfile
from pathlib import Path

import av
import numpy as np
import pytest
from skimage import data as skdata

from tests.fakes.scenes import clip_from_image, paste_product
from tests.support import encode, flat_tube_photo, person_photo
from ugc.config import Settings
from ugc.engines.base import AspectRatio, ImageRequest, VideoRequest
from ugc.engines.local.image import LocalImageEngine
from ugc.engines.local.image.scene import scene_composition
from ugc.engines.local.video.engine import LocalVideoEngine
from ugc.projects.video_fidelity import check_video
from ugc.projects.video_frames import sample_frames

TUBE = flat_tube_photo()


def tube_ad(
    person: bytes | None = None, aspect: AspectRatio = "9:16"
) -> tuple[bytes, bytes | None]:
    """The local engine's ad of the plain tube (by default held up from the frame's bottom
    edge before the astronaut)."""
    request = ImageRequest(
        person=person or encode(skdata.astronaut()),
        product=TUBE,
        product_name="Plain",
        product_description="",
        prompt="",
        aspect_ratio=aspect,
    )
    image = asyncio.run(LocalImageEngine(Settings()).compose(request, lambda s, f: None))
    return image.png, image.scene


def test_a_plain_product_cut_by_the_frame_edge_is_intact() -> None:
    # The pan crops the tube's cap off: what shows of it is as photographed.
    clip = clip_from_image(tube_ad()[0], (720, 1280), seconds=2.0, fps=12)

    checked = check_video(TUBE, clip)

    assert checked.verdict == "intact", checked
    assert checked == check_video(TUBE, clip)  # the same video, the same scores


def test_the_local_engine_video_of_a_plain_product_is_intact() -> None:
    # Its shot pans, then pushes in: in the later frames a third of the tube is out of frame.
    png, scene = tube_ad()
    request = VideoRequest(
        image=png,
        product_name="Plain",
        product_description="",
        prompt="",
        aspect_ratio="9:16",
        scene=scene,
    )
    video = asyncio.run(LocalVideoEngine(Settings()).animate(request, lambda *a: None))

    checked = check_video(TUBE, video.mp4)

    assert checked.verdict == "intact", checked


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_the_local_engine_video_of_a_plain_product_in_a_small_hand_is_intact(
    aspect: AspectRatio,
) -> None:
    # Messi's small hand holds the tube at its edge: its fingers cover a strip of it there
    # in every frame of the pan and push-in, never a floating patch of its face.
    messi = Path("/usr/share/doc/opencv-doc/examples/data/messi5.jpg")
    if not messi.exists():
        pytest.skip("messi5.jpg is missing (apt-get install opencv-doc)")
    png, scene = tube_ad(messi.read_bytes(), aspect)
    assert (scene_composition(scene) or {}).get("composition") == "hand"
    request = VideoRequest(
        image=png,
        product_name="Plain",
        product_description="",
        prompt="",
        aspect_ratio=aspect,
        scene=scene,
    )
    video = asyncio.run(LocalVideoEngine(Settings()).animate(request, lambda *a: None))

    checked = check_video(TUBE, video.mp4)

    assert checked.verdict == "intact", checked


@pytest.mark.parametrize(("state", "verdict"), [("recoloured", "changed"), ("absent", "missing")])
def test_a_plain_product_recoloured_or_absent_in_a_video(state: str, verdict: str) -> None:
    image = encode(paste_product(person_photo(), TUBE, (720, 1280), state))

    checked = check_video(TUBE, clip_from_image(image, (720, 1280), seconds=2.0, fps=12))

    assert checked.verdict == verdict, checked
    assert len(checked.frames) == 8


def test_a_textured_product_video_scores_the_same_every_time() -> None:
    coffee = encode(skdata.coffee())
    image = encode(paste_product(person_photo(), coffee, (720, 1280), "intact"))
    clip = clip_from_image(image, (720, 1280), seconds=2.0, fps=12)

    first, second = check_video(coffee, clip), check_video(coffee, clip)

    assert first == second and first.verdict == "intact"


def test_sampled_frames_are_those_a_full_decode_shows() -> None:
    # B-frames and a keyframe every 12 frames: the sampler skips and jumps, the pixels agree.
    clip = _moving_clip(frames=60, keyframes_every=12)
    with av.open(io.BytesIO(clip)) as container:
        stream = container.streams.video[0]
        everything = [
            (float(f.pts * stream.time_base), f.to_ndarray(format="rgb24"))
            for f in container.decode(stream)
        ]

    sampled = sample_frames(clip)

    picks = [round(i * 59 / 7) for i in range(8)]
    assert [s for s, _ in sampled] == [everything[i][0] for i in picks]
    for (_, pixels), i in zip(sampled, picks, strict=True):
        assert np.array_equal(pixels, everything[i][1])


def _moving_clip(frames: int, keyframes_every: int) -> bytes:
    rng = np.random.default_rng(3)
    texture = rng.integers(0, 255, (360, 480, 3), dtype=np.uint8)
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        with av.open(file.name, mode="w", format="mp4") as out:
            video = out.add_stream("libx264", rate=24)
            video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
            video.options = {"preset": "veryfast", "g": str(keyframes_every), "bf": "3"}
            for index in range(frames):
                pixels = np.ascontiguousarray(
                    texture[index : index + 240, 2 * index : 2 * index + 320]
                )
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                frame.pts = index
                out.mux(video.encode(frame))
            out.mux(video.encode(None))
        return file.read()
