"""The layers the video needs, stored next to the image: a small zip with a JSON manifest."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.sprite import Sprite
from ugc.engines.local.kit.caption import CaptionLine
from ugc.engines.local.kit.geometry import Box

SCENE_VERSION = 2
# Scenes written before the composition was recorded still animate.
_READABLE = (1, 2)
# The video is 720p and zooms in at most ~1.35x, so the backdrop never needs more than
# the image's own resolution; JPEG keeps it to a few hundred kB.
_JPEG_QUALITY = 90
# One fixed filter instead of libpng's per-row search halves the encode time of a layer
# (mostly transparent, so run-length coding still keeps it small).
_PNG_LAYER = [
    cv2.IMWRITE_PNG_COMPRESSION,
    1,
    cv2.IMWRITE_PNG_FILTER,
    cv2.IMWRITE_PNG_FILTER_UP,
    cv2.IMWRITE_PNG_STRATEGY,
    cv2.IMWRITE_PNG_STRATEGY_RLE,
]


@dataclass(frozen=True, slots=True)
class Scene:
    """The local engine's layers: backdrop, product sprite, captions and where things are."""

    size: tuple[int, int]
    background: NDArray[np.uint8]
    sprite: Sprite
    product_box: Box
    product_kind: str
    face: Box | None
    captions: list[CaptionLine]
    accent: tuple[int, int, int]
    # Which composition was chosen (hand, which hand, foreground, ...), for the API.
    composition: dict[str, Any] = field(default_factory=dict)
    # With a person mask: the person as a layer of their own (premultiplied) and the
    # background with them painted out, so the video can move the two apart.
    person: Sprite | None = None
    plate: NDArray[np.uint8] | None = None
    # The product alone, without the fingers drawn over it (for the end card); None when
    # the sprite is already just the product.
    hero: NDArray[np.uint8] | None = None


def _png(rgba: NDArray[np.uint8]) -> bytes:
    ok, data = cv2.imencode(
        ".png",
        cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA),
        _PNG_LAYER,
    )
    if not ok:
        raise ValueError("could not encode a scene layer")
    return bytes(data)


def _jpeg(rgb: NDArray[np.uint8]) -> bytes:
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY]
    )
    if not ok:
        raise ValueError("could not encode the scene backdrop")
    return bytes(data)


def _decode(data: bytes, flags: int, code: int) -> NDArray[np.uint8]:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None:
        raise ValueError("a scene layer is not a readable image")
    return np.asarray(cv2.cvtColor(image, code), dtype=np.uint8)


def _person_members(person: Sprite, plate: NDArray[np.uint8]) -> dict[str, bytes]:
    # The person's colour is stored straight (unmultiplied) as JPEG, which a photo suits,
    # and the mask as PNG; premultiplied colour would ring against black at the edges.
    alpha = np.ascontiguousarray(person.rgba[:, :, 3])
    # colour * 255 / alpha, rounded and saturated (0 where alpha is 0), without float copies.
    straight = np.asarray(
        cv2.divide(
            np.ascontiguousarray(person.rgba[:, :, :3]), cv2.merge([alpha, alpha, alpha]), scale=255
        ),
        dtype=np.uint8,
    )
    ok, mask = cv2.imencode(".png", alpha, _PNG_LAYER)
    if not ok:
        raise ValueError("could not encode the person mask")
    return {
        "plate.jpg": _jpeg(plate),
        "person.jpg": _jpeg(straight),
        "person-mask.png": bytes(mask),
    }


def _read_person(
    archive: zipfile.ZipFile, manifest: dict[str, Any]
) -> tuple[Sprite | None, NDArray[np.uint8] | None]:
    if manifest.get("person") is None:
        return None, None
    plate = _decode(archive.read("plate.jpg"), cv2.IMREAD_COLOR, cv2.COLOR_BGR2RGB)
    colour = _decode(archive.read("person.jpg"), cv2.IMREAD_COLOR, cv2.COLOR_BGR2RGB)
    mask = cv2.imdecode(
        np.frombuffer(archive.read("person-mask.png"), np.uint8), cv2.IMREAD_GRAYSCALE
    )
    if mask is None or mask.shape != colour.shape[:2]:
        raise ValueError("a scene's person layer is damaged")
    premul = cv2.multiply(colour, cv2.merge([mask, mask, mask]), scale=1 / 255)
    rgba = np.asarray(cv2.merge([premul, mask]), dtype=np.uint8)
    x, y = manifest["person"]
    return Sprite(rgba, int(x), int(y)), plate


def pack_scene(scene: Scene) -> bytes:
    """Serialise the scene to bytes (layers already compressed, so the zip only stores)."""
    manifest: dict[str, Any] = {
        "version": SCENE_VERSION,
        "size": list(scene.size),
        "sprite": [scene.sprite.x, scene.sprite.y],
        "product_box": scene.product_box.as_list(),
        "product_kind": scene.product_kind,
        "face": None if scene.face is None else scene.face.as_list(),
        "captions": [[line.x, line.y] for line in scene.captions],
        "accent": list(scene.accent),
        "composition": scene.composition,
    }
    members = {
        "manifest.json": json.dumps(manifest).encode(),
        "background.jpg": _jpeg(scene.background),
        "sprite.png": _png(scene.sprite.rgba),
    }
    members.update({f"caption-{i}.png": _png(line.rgba) for i, line in enumerate(scene.captions)})
    if scene.hero is not None:
        members["hero.png"] = _png(scene.hero)
    if scene.person is not None and scene.plate is not None:
        members.update(_person_members(scene.person, scene.plate))
        manifest["person"] = [scene.person.x, scene.person.y]
        members["manifest.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            # A fixed timestamp: the same inputs must give the same bytes.
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def unpack_scene(data: bytes) -> Scene:
    """Read a scene written by pack_scene; ValueError when it is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("version") not in _READABLE:
                raise ValueError("unknown scene version")
            rgba = cv2.IMREAD_UNCHANGED
            background = _decode(
                archive.read("background.jpg"), cv2.IMREAD_COLOR, cv2.COLOR_BGR2RGB
            )
            sprite_rgba = _decode(archive.read("sprite.png"), rgba, cv2.COLOR_BGRA2RGBA)
            captions = [
                CaptionLine(
                    _decode(archive.read(f"caption-{i}.png"), rgba, cv2.COLOR_BGRA2RGBA),
                    int(x),
                    int(y),
                )
                for i, (x, y) in enumerate(manifest["captions"])
            ]
            person, plate = _read_person(archive, manifest)
            hero = (
                _decode(archive.read("hero.png"), rgba, cv2.COLOR_BGRA2RGBA)
                if "hero.png" in archive.namelist()
                else None
            )
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError("not a local-engine scene") from exc
    face = manifest["face"]
    width, height = manifest["size"]
    red, green, blue = manifest["accent"]
    return Scene(
        size=(int(width), int(height)),
        background=background,
        sprite=Sprite(sprite_rgba, int(manifest["sprite"][0]), int(manifest["sprite"][1])),
        product_box=Box.from_list(manifest["product_box"]),
        product_kind=str(manifest["product_kind"]),
        face=None if face is None else Box.from_list(face),
        captions=captions,
        accent=(int(red), int(green), int(blue)),
        composition=dict(manifest.get("composition") or {}),
        person=person,
        plate=plate,
        hero=hero,
    )


def scene_composition(data: bytes | None) -> dict[str, Any] | None:
    """Only the recorded composition of a packed scene (None when there is none)."""
    if not data:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, ValueError):
        return None
    composition = manifest.get("composition") if isinstance(manifest, dict) else None
    return dict(composition) if isinstance(composition, dict) and composition else None
