"""The MP4 helpers on real encoded clips, and the small parsers of the Google adapters."""

from __future__ import annotations

import io
import tempfile

import av
import numpy as np
import pytest
from PIL import Image

from tests.fakes.media import make_mp4
from tests.support import encode
from ugc.engines.base import EngineUnavailable
from ugc.engines.google import mp4
from ugc.engines.google.pictures import cover_png, image_mime
from ugc.engines.google.sdk import retry_delay


def test_faststart_detection() -> None:
    assert not mp4.is_faststart(make_mp4(320, 568, 0.5))
    assert mp4.is_faststart(make_mp4(320, 568, 0.5, faststart=True))
    assert not mp4.is_faststart(b"")


def test_remux_moves_the_index_and_keeps_streams() -> None:
    source = make_mp4(320, 568, 0.5)

    result = mp4.remux_faststart(source)

    assert mp4.top_level_boxes(result).index("moov") < mp4.top_level_boxes(result).index("mdat")
    assert mp4.probe(result).frames == mp4.probe(source).frames
    with av.open(io.BytesIO(result)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]


def test_fit_crops_centre_and_keeps_audio() -> None:
    result = mp4.fit_video(make_mp4(720, 1280, 1.0), 720, 720)

    info = mp4.probe(result)
    assert (info.width, info.height, info.codec, info.pix_fmt) == (720, 720, "h264", "yuv420p")
    assert info.faststart
    with av.open(io.BytesIO(result)) as container:
        assert len(container.streams.audio) == 1
        assert float(container.duration or 0) / av.time_base == pytest.approx(1.0, abs=0.1)


def _ramp_clip(width: int, height: int, axis: int) -> bytes:
    """Frames whose brightness climbs along `axis` (1: left to right, 0: top to bottom)."""
    ramp = np.linspace(16, 235, (height, width)[axis]).astype(np.uint8)
    plane = np.broadcast_to(ramp[None, :] if axis else ramp[:, None], (height, width))
    pixels = np.ascontiguousarray(np.repeat(plane[:, :, None], 3, axis=2))
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        with av.open(file.name, mode="w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=8)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            for index in range(4):
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                frame.pts = index
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        return file.read()


@pytest.mark.parametrize(
    ("source", "axis"), [((1280, 720), 1), ((720, 1280), 0), ((1920, 1080), 1)]
)
def test_fit_keeps_the_centre_of_the_picture(source: tuple[int, int], axis: int) -> None:
    result = mp4.fit_video(_ramp_clip(*source, axis), 720, 720)

    with av.open(io.BytesIO(result)) as container:
        frames = [f.to_ndarray(format="gray").astype(float) for f in container.decode(video=0)]
    assert len(frames) == 4
    seen = frames[-1].mean(axis=1 - axis)  # brightness along the ramp's direction
    # What the crop shows is the middle 720 of the source scaled to cover: the ramp's values
    # from a quarter-ish in to a quarter-ish from the end, not its ends.
    scaled = round(max(source) * 720 / min(source))
    full = np.linspace(16, 235, scaled)
    start = (scaled - 720) // 2
    expected = full[start : start + 720]
    assert np.abs(seen - expected).max() < 4


def test_fit_refuses_a_clip_that_does_not_decode() -> None:
    clip = make_mp4(720, 1280, 1.0)
    broken = clip[: len(clip) // 3]

    with pytest.raises(mp4.InvalidVideo):
        mp4.normalise(broken, 720, 720)


@pytest.mark.parametrize("data", [b"", b"garbage" * 50, make_mp4(64, 64, 0.5)[:300]])
def test_probe_rejects_unplayable_bytes(data: bytes) -> None:
    with pytest.raises(mp4.InvalidVideo):
        mp4.probe(data)


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"error": {"details": [{"retryDelay": "37s"}]}}, 37.0),
        ({"error": {"details": [{"@type": "x"}, {"retryDelay": "1.5s"}]}}, 1.5),
        ({"details": [{"retryDelay": "2s"}]}, 2.0),
        ({"error": {"details": [{"retryDelay": "soon"}]}}, None),
        ({"error": {}}, None),
        ("not json", None),
    ],
)
def test_retry_delay(details: object, expected: float | None) -> None:
    assert retry_delay(details) == expected


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"????", "application/octet-stream"),
    ],
)
def test_image_mime(head: bytes, mime: str) -> None:
    assert image_mime(head) == mime


@pytest.mark.parametrize(
    ("source", "size"), [((768, 1376), (1080, 1920)), ((2048, 2048), (1080, 1080))]
)
def test_cover_scales_to_fill_and_keeps_the_centre(
    source: tuple[int, int], size: tuple[int, int]
) -> None:
    # A picture whose left half is dark and right half light, with a light square marking
    # its centre: after covering, the centre mark is at the centre of the new size.
    pixels = np.zeros((source[1], source[0], 3), np.uint8)
    pixels[:, source[0] // 2 :] = 200
    cx, cy, half = source[0] // 2, source[1] // 2, min(source) // 20
    pixels[cy - half : cy + half, cx - half - 2 * half : cx - half] = 255
    png, rgb = cover_png(encode(pixels), size)

    assert rgb.shape == (size[1], size[0], 3)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.size == size and np.array_equal(np.asarray(picture), rgb)
    mark = np.argwhere(rgb[:, :, 0] > 240)
    middle = mark.mean(axis=0)
    scale = max(size[0] / source[0], size[1] / source[1])
    assert abs(middle[0] - size[1] / 2) < 2
    assert abs(middle[1] - (size[0] / 2 - 2 * half * scale)) < 3


def test_cover_refuses_an_unreadable_answer() -> None:
    with pytest.raises(EngineUnavailable):
        cover_png(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, (1080, 1920))
