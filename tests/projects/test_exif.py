"""EXIF orientation is applied before anything else sees the photo."""

from __future__ import annotations

import io

from PIL import Image

from ugc.projects.uploads import check_image


def test_exif_rotated_photo_is_stored_upright():
    image = Image.new("RGB", (400, 300), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    checked = check_image(buffer.getvalue(), "person photo", 5 * 1024 * 1024)
    assert (checked.width, checked.height) == (300, 400)
    stored = Image.open(io.BytesIO(checked.data))
    assert stored.size == (300, 400)
    assert stored.getexif().get(0x0112, 1) == 1


def test_upright_photo_is_kept_byte_for_byte():
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "blue").save(buffer, format="WEBP")
    checked = check_image(buffer.getvalue(), "product photo", 5 * 1024 * 1024)
    assert checked.data == buffer.getvalue()
    assert (checked.extension, checked.content_type) == ("webp", "image/webp")
