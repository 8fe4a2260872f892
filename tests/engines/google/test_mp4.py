"""The MP4 helpers on real encoded clips, and the small parsers of the Google adapters."""

from __future__ import annotations

import io

import av
import pytest

from tests.fakes.media import make_mp4
from ugc.engines.google import mp4
from ugc.engines.google.pictures import image_mime
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
