"""The product-fidelity check on its own, and on today's local engine (a regression guard):
the ads it makes from the photos the project ships must score `intact`.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from PIL import Image
from skimage import data as skdata
from typer.testing import CliRunner

from tests.fakes.scenes import clip_from_image, paste_product
from tests.support import encode, flat_box_photo, flat_tube_photo, person_photo, product_photo
from ugc.cli_generate import generate
from ugc.config import Settings
from ugc.engines.base import AspectRatio, ImageRequest
from ugc.engines.local.demo import SAMPLES, _photo
from ugc.engines.local.image import LocalImageEngine
from ugc.projects import fidelity, provenance, video_fidelity
from ugc.web.examples import _person, _product


def sample(name: str) -> bytes:
    return encode(np.asarray(getattr(skdata, name)(), dtype=np.uint8))


COFFEE = sample("coffee")
SIZES = {"9:16": (768, 1376), "16:9": (1376, 768), "1:1": (1024, 1024)}


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
@pytest.mark.parametrize("product", ["bottle", "coffee"])
def test_a_pasted_product_is_intact_and_an_absent_one_missing(aspect: str, product: str) -> None:
    photo = product_photo() if product == "bottle" else COFFEE
    intact = encode(paste_product(person_photo(), photo, SIZES[aspect], "intact"))
    absent = encode(paste_product(person_photo(), photo, SIZES[aspect], "absent"))

    found = fidelity.check_image(photo, intact)
    gone = fidelity.check_image(photo, absent)

    assert found.verdict == "intact", found
    assert gone == fidelity.Fidelity(0.0, "missing")


@pytest.mark.parametrize("aspect", ["9:16", "16:9"])
def test_a_repainted_label_is_changed(aspect: str) -> None:
    result = encode(paste_product(person_photo(), COFFEE, SIZES[aspect], "repainted"))

    checked = fidelity.check_image(COFFEE, result)

    assert checked.verdict == "changed", checked
    assert checked.inliers >= fidelity.MIN_INLIERS  # found, but not as photographed


FLAT = {"tube": flat_tube_photo(), "box": flat_box_photo()}


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
@pytest.mark.parametrize("product", ["tube", "box"])
def test_a_flat_product_is_found_by_its_outline(aspect: str, product: str) -> None:
    # A plain product gives feature matching a handful of corners, not a placement: it is
    # found by its outline and inner edges, and its colour still decides.
    photo = FLAT[product]
    assert len(fidelity.product_model(photo).keypoints) < 60  # too few to rely on
    intact, recoloured, absent = (
        fidelity.check_image(
            photo, encode(paste_product(person_photo(), photo, SIZES[aspect], state))
        )
        for state in ("intact", "recoloured", "absent")
    )

    assert intact.verdict == "intact", intact
    assert recoloured.verdict == "changed", recoloured
    assert absent == fidelity.Fidelity(0.0, "missing")


@pytest.mark.parametrize("product", ["tube", "box"])
def test_the_local_engine_ad_of_a_flat_product_is_intact(product: str) -> None:
    request = ImageRequest(
        person=person_photo(),
        product=FLAT[product],
        product_name="Plain",
        product_description="",
        prompt="",
        aspect_ratio="9:16",
    )
    image = asyncio.run(LocalImageEngine(Settings()).compose(request, lambda s, f: None))

    checked = fidelity.check_image(FLAT[product], image.png)

    assert checked.verdict == "intact", checked


def test_the_score_is_the_same_every_time() -> None:
    result = encode(paste_product(person_photo(), COFFEE, SIZES["9:16"], "repainted"))

    assert len({fidelity.check_image(COFFEE, result) for _ in range(3)}) == 1


def test_video_samples_eight_frames_including_the_last_and_reports_the_worst() -> None:
    image = encode(paste_product(person_photo(), COFFEE, (720, 1280), "intact"))
    clip = clip_from_image(image, (720, 1280), seconds=2.0, fps=12)

    checked = video_fidelity.check_video(COFFEE, clip)

    assert len(checked.frames) == 8
    assert checked.frames[0].seconds == 0.0
    assert checked.frames[-1].seconds == pytest.approx(23 / 12, abs=0.01)  # the last frame
    assert checked.score == min(f.score for f in checked.frames)
    assert checked.verdict == "intact"
    blank = video_fidelity.check_video(COFFEE, clip_from_image(image, (720, 1280), blank=True))
    assert blank.verdict == "missing" and len(blank.frames) == 8


def packaged_ads() -> list[tuple[str, bytes, bytes, AspectRatio]]:
    """(name, product photo, person photo, aspect): the demo samples and the landing example."""
    ads = []
    for stem, person, product, aspect, *_ in SAMPLES:
        person_pixels, product_pixels = _photo(person), _photo(product)
        if person_pixels is not None and product_pixels is not None:  # opencv-doc installed
            ads.append((stem, encode(product_pixels), encode(person_pixels), aspect))
    ads.append(("landing-fizz", encode(_product()), encode(_person()), "9:16"))
    return ads


@pytest.mark.parametrize(
    ("name", "product", "person", "aspect"), packaged_ads(), ids=[a[0] for a in packaged_ads()]
)
def test_local_engine_ads_on_the_packaged_photos_are_intact(
    name: str, product: bytes, person: bytes, aspect: AspectRatio
) -> None:
    request = ImageRequest(
        person=person,
        product=product,
        product_name=name,
        product_description="",
        prompt="",
        aspect_ratio=aspect,
    )
    image = asyncio.run(LocalImageEngine(Settings()).compose(request, lambda s, f: None))

    checked = fidelity.check_image(product, image.png)

    assert checked.verdict == "intact", checked


def test_provenance_is_readable_and_the_png_still_decodes() -> None:
    png = encode(np.zeros((400, 300, 3), np.uint8))

    stamped = provenance.stamp_png(png, "composite", "local")
    marked = provenance.stamp_png(provenance.mark_png(png), "generative", "gemini")

    with Image.open(io.BytesIO(stamped)) as picture:
        picture.load()
        assert "compositeSynthetic" in picture.info["XML:com.adobe.xmp"]
    assert "compositeWithTrainedAlgorithmicMedia" in (provenance.read_xmp(marked) or "")
    with Image.open(io.BytesIO(marked)) as picture:
        assert np.asarray(picture.convert("RGB")).max() > 0  # the badge was drawn


def test_cli_json_reports_the_product_fidelity(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("generate")(generate)
    app.command("noop", hidden=True)(lambda: None)
    person, product = tmp_path / "person.png", tmp_path / "product.png"
    person.write_bytes(sample("astronaut"))
    product.write_bytes(sample("coffee"))
    args = ["generate", "--person", str(person), "--product", str(product)]
    args += ["--product-name", "Morning Roast", "--out", str(tmp_path / "ad"), "--json"]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["productFidelity"]["verdict"] == "intact"
    assert 0.75 <= summary["productFidelity"]["score"] <= 1.0
    written = (tmp_path / "ad" / "image.png").read_bytes()
    assert "compositeSynthetic" in (provenance.read_xmp(written) or "")
